#!/usr/bin/env bash
# Generates the Swift code of the contract ahead of time, with swift-openapi-generator's command
# plugin, into Sources/CipherscaleAPI/GeneratedSources/ (committed; never edit it by hand).
#
#   scripts/generate-api.sh           regenerate after changing openapi.yaml or its generator config
#   scripts/generate-api.sh --check   fail when the committed code is not what the contract generates
#                                     (scripts/test.sh runs this first)
#
# Why ahead of time: with the build plugin every build ran the generator, and the first `swift run`
# after a fresh clone rebuilt the generator tool again; see the README's "Fast second start".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! command -v swift >/dev/null 2>&1 && [ -d /opt/swift/usr/bin ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi

GENERATED=Sources/CipherscaleAPI/GeneratedSources
swift package --allow-writing-to-package-directory generate-code-from-openapi --target CipherscaleAPI >/dev/null
# The generator's style is not ours: mark each file so `swift format lint` leaves it alone.
for file in "$GENERATED"/*.swift; do
    if [ "$(head -n 1 "$file")" != "// swift-format-ignore-file" ]; then
        { echo "// swift-format-ignore-file"; cat "$file"; } > "$file.tmp" && mv "$file.tmp" "$file"
    fi
done

if [ "${1:-}" = "--check" ]; then
    # Tracked files changed, or new files appeared: the commit does not match its contract.
    if ! git diff --quiet -- "$GENERATED" || [ -n "$(git ls-files --others --exclude-standard -- "$GENERATED")" ]; then
        git status --short -- "$GENERATED" >&2
        echo "generate-api: $GENERATED is not what openapi.yaml generates; run scripts/generate-api.sh and commit" >&2
        exit 1
    fi
    echo "generate-api: $GENERATED matches openapi.yaml"
else
    echo "generate-api: wrote $GENERATED"
fi
