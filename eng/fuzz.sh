#!/usr/bin/env bash
# Opt-in deep fuzzing (not part of the test suite): AFL++ mutates model files and SharpFuzz feeds them to
# tests/Quantize.Fuzz, which inspects and quantizes each one to every precision. Any exception that is not a
# QuantizeException with a specific code is a crash, saved under artifacts/fuzz/findings/default/crashes.
#   bash eng/fuzz.sh [seconds]      (default 600)
# Installs Debian's afl++ when missing and the SharpFuzz instrumenter from .config/dotnet-tools.json.
set -euo pipefail
seconds="${1:-600}"
cd "$(dirname "$0")/.."
out="$PWD/artifacts/fuzz"

if ! command -v afl-fuzz > /dev/null; then
  echo "== installing afl++ (Debian package)"
  apt-get update -qq && apt-get install -y -qq afl++ > /dev/null
fi

echo "== publishing the harness"
dotnet tool restore > /dev/null
rm -rf "$out/bin"
dotnet publish tests/Quantize.Fuzz -c Release -o "$out/bin" -nologo -v:q
# Seeds first: instrumented code only runs under afl-fuzz (it writes AFL's shared coverage map).
rm -rf "$out/seeds" && dotnet "$out/bin/Quantize.Fuzz.dll" seeds "$out/seeds"
echo "== instrumenting Quantize.Core.dll (SharpFuzz)"
dotnet tool run sharpfuzz "$out/bin/Quantize.Core.dll"

echo "== fuzzing for ${seconds}s (findings in $out/findings)"
# .NET starts slowly and ORT loads are heavy: generous per-input timeout, no memory cap (the CLR reserves a lot).
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
resume="-i $out/seeds"
[ -d "$out/findings/default/queue" ] && resume="-i -"
timeout --signal=INT "$seconds" afl-fuzz $resume -o "$out/findings" -t 10000 -m none -- dotnet "$out/bin/Quantize.Fuzz.dll" || true

crashes=$(find "$out/findings" -path '*/crashes/id*' 2> /dev/null | wc -l)
hangs=$(find "$out/findings" -path '*/hangs/id*' 2> /dev/null | wc -l)
echo "== $crashes crash(es), $hangs hang(s); reproduce one with an uninstrumented build:"
echo "   dotnet run --project tests/Quantize.Fuzz -c Release -- < FILE"
[ "$crashes" -eq 0 ]
