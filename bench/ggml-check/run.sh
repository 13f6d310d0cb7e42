#!/usr/bin/env bash
# Ingot's GGML block decoding (tensor.quant.Dequantizer) against ggml's own, bit for bit:
#   bench/ggml-check/run.sh FILE.gguf...
# For each file, ggmldump.c (linked against the libggml-base.so that ../shared/anchors/llamacpp.sh installs)
# writes every block-quantized tensor as decoded by ggml's type traits (to_float, i.e. dequantize_row_*),
# and CompareWithGgml.java decodes the same bytes with the engine's Dequantizer and counts differing bits.
# Needs the engine compiled: mvn -o -q -pl ingot-engine -am compile
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../../bin/lib/common.sh"
HERE="$INGOT_ROOT/bench/ggml-check"
ANCHOR=${LLAMACPP_SH:-$INGOT_ROOT/../shared/anchors/llamacpp.sh}
D=$("$ANCHOR" install)
OUT="$INGOT_ROOT/bench/target/ggml-check"
mkdir -p "$OUT"
gcc -O2 -I"$D/src/llama.cpp/ggml/include" "$HERE/ggmldump.c" -o "$OUT/ggmldump" \
  -L"$D/bin" -l:libggml-base.so -Wl,-rpath,"$D/bin"
JAVA_HOME="$(find_jdk)"
for f in "$@"; do
  name=$(basename "$f" .gguf)
  "$OUT/ggmldump" "$f" "$OUT/$name.f32" >"$OUT/$name.txt"
  "$JAVA_HOME/bin/java" -cp "$INGOT_ROOT/ingot-engine/target/classes:$INGOT_ROOT/ingot-spi/target/classes" \
    "$HERE/CompareWithGgml.java" "$f" "$OUT/$name.f32" "$OUT/$name.txt"
done
