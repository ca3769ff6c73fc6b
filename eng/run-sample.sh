#!/usr/bin/env bash
# Packs Quantize.Build, Quantize.Runtime and dotnet-quantize into artifacts/packages, then builds and runs the
# sentence-embedding sample against that local feed (samples/SentenceEmbeddings/NuGet.config).
# Usage: bash eng/run-sample.sh [SentenceEmbeddings|ImageFeatures]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sample="${1:-SentenceEmbeddings}"

dotnet pack "$root/src/Quantize.Build/Quantize.Build.csproj" -c Release
dotnet pack "$root/src/Quantize.Runtime/Quantize.Runtime.csproj" -c Release
dotnet pack "$root/src/Quantize.Cli/Quantize.Cli.csproj" -c Release

# Same version re-packed: drop the samples' cached copies so restore takes the fresh packages.
rm -rf "$root/artifacts/sample-packages/quantize.build" "$root/artifacts/sample-packages/quantize.runtime"

dotnet run --project "$root/samples/$sample/$sample.csproj" -c Release

# The build's quality check wrote a report beside the quantized model: show its Markdown summary.
report="$(find "$root/samples/$sample/obj" -name '*.quantize-report.md' -print -quit 2>/dev/null || true)"
if [ -n "$report" ]; then
  echo
  echo "Quality report ($report, HTML beside it):"
  sed -n '1,40p' "$report"
fi
