# lines: 2
ENV BLA="blubb" BLUBB="$BLA/blubb"
