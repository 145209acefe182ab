ENV BLA="blubb" BLUBB="${FOOBLA}/blubb"
ENV BLA="blubb" BLUBB="${BLAFOO}/blubb"
ENV BLA="blubb" BLUBB="$FOOBLA/blubb"
ENV BLA="blubb" BLUBB="BLA/$BLAFOO/BLA"
