# lines: 2 3
ENV BLA="blubb" BLUBB="$BLA"
ENV FOO=1 BAR=${FOO}
