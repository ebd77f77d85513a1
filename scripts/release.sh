#!/usr/bin/env bash
# Builds a release tarball: dist/ferry-<version>-linux-<arch>.tar.gz holding
#   bin/ferry, share/man/man1/ferry.1, the bash/zsh/fish completions, and the systemd unit,
#   tmpfiles and sysusers files from deploy/.
# The man page comes from swift-argument-parser's generate-manual tool, the completions from
# `ferry --generate-completion-script`: both from the same argument parser the binary uses.
# The binary carries the Swift runtime and Foundation inside (--static-swift-stdlib), so a server needs no Swift,
# only the system libraries README "Deployment notes" lists. Building it needs libcurl's development files
# (Debian: libcurl4-openssl-dev), which FoundationNetworking links against. A release build with and one without
# --static-swift-stdlib do not share compiled modules: switching between them
# compiles everything again.
#   scripts/release.sh            build and pack
#   scripts/release.sh --no-build pack the release binary already in .build/release
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" != "--no-build" ]]; then
    pkg-config --exists libcurl || { echo "release.sh: libcurl's development files are missing (apt-get install libcurl4-openssl-dev)" >&2; exit 1; }
    swift build -c release --product ferry --static-swift-stdlib
    # The tool the GenerateManual plugin runs, called directly: the plugin would build ferry again, linked dynamically.
    swift build --product generate-manual
fi
binary=.build/release/ferry
generate_manual=$(swift build --show-bin-path)/generate-manual
[[ -x "$binary" ]] || { echo "release.sh: no $binary (run without --no-build)" >&2; exit 1; }
[[ -x "$generate_manual" ]] || { echo "release.sh: no $generate_manual (run without --no-build)" >&2; exit 1; }
if readelf -d "$binary" | grep -E 'NEEDED.*(libswift|libFoundation|lib_Foundation|libdispatch|libBlocksRuntime)'; then
    echo "release.sh: $binary links the Swift runtime dynamically (above); build it with --static-swift-stdlib" >&2
    exit 1
fi

version=$("$binary" --version | awk '{print $2}')
name="ferry-$version-linux-$(uname -m)"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/$name"
install -D -m 0755 "$binary" "$root/bin/ferry"
strip "$root/bin/ferry" 2>/dev/null || true
install -d "$root/share/man/man1"
"$generate_manual" "$binary" --output-directory "$root/share/man/man1"
[[ -s "$root/share/man/man1/ferry.1" ]] || { echo "release.sh: generate-manual wrote no ferry.1" >&2; exit 1; }
install -d "$root/share/bash-completion/completions" "$root/share/zsh/site-functions" "$root/share/fish/vendor_completions.d"
"$binary" --generate-completion-script bash > "$root/share/bash-completion/completions/ferry"
"$binary" --generate-completion-script zsh > "$root/share/zsh/site-functions/_ferry"
"$binary" --generate-completion-script fish > "$root/share/fish/vendor_completions.d/ferry.fish"
install -D -m 0644 deploy/ferry.service "$root/lib/systemd/system/ferry.service"
install -D -m 0644 deploy/ferry.tmpfiles "$root/lib/tmpfiles.d/ferry.conf"
install -D -m 0644 deploy/ferry.sysusers "$root/lib/sysusers.d/ferry.conf"
install -D -m 0644 README.md "$root/share/doc/ferry/README.md"
mkdir -p dist
tar -C "$stage" -czf "dist/$name.tar.gz" "$name"
echo "dist/$name.tar.gz"
tar -tzvf "dist/$name.tar.gz"
