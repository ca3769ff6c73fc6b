#!/usr/bin/env bash
# The main job: packs Quantize.Build, Quantize.Runtime and dotnet-quantize into artifacts/packages, builds a sample
# against that local feed (samples/<name>/NuGet.config), runs it, and prints the quality report the build wrote.
# Usage: bash eng/run-sample.sh [SentenceEmbeddings|ImageFeatures]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sample="${1:-SentenceEmbeddings}"
project="$root/samples/$sample/$sample.csproj"
step() { printf '\n== %s (%s)\n' "$1" "$(date +%H:%M:%S)"; }

step "1/4 Packing Quantize.Build, Quantize.Runtime and dotnet-quantize into artifacts/packages"
for p in src/Quantize.Runtime src/Quantize.Build src/dotnet-quantize; do
  dotnet pack "$root/$p" -c Release -v:m -nologo -clp:NoSummary | grep -E 'Successfully created|error|warn' || true
done

# Same version re-packed: drop the samples' cached copies so restore takes the fresh packages.
rm -rf "$root/artifacts/sample-packages/quantize.build" "$root/artifacts/sample-packages/quantize.runtime"

step "2/4 Building samples/$sample (restores, quantizes the model, embeds it, generates the wrapper)"
dotnet build "$project" -c Release -nologo

step "3/4 Running samples/$sample"
dotnet run --project "$project" -c Release --no-build

# The build's quality check wrote a report beside the quantized model.
report="$(find "$root/samples/$sample/obj" -name '*.quantize-report.md' -print -quit 2>/dev/null || true)"
if [ -n "$report" ]; then
  step "4/4 Quality report ($report; HTML beside it)"
  cat "$report"
fi
