#!/usr/bin/env bash
# Builds a release tarball: dist/ferry-<version>-linux-<arch>.tar.gz holding
#   bin/ferry, share/man/man1/ferry.1, the bash/zsh/fish completions, and the systemd unit,
#   tmpfiles and sysusers files from deploy/.
# The man page comes from swift-argument-parser's generate-manual plugin, the completions from
# `ferry --generate-completion-script`: both from the same argument parser the binary uses.
#   scripts/release.sh            build and pack
#   scripts/release.sh --no-build pack the release binary already in .build/release
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" != "--no-build" ]]; then
    # The plugin builds the release products first, then writes ferry.1 from the built binary.
    swift package --allow-writing-to-package-directory generate-manual
fi
binary=.build/release/ferry
manual=$(find .build/plugins/GenerateManual -name ferry.1 -newer Package.swift | head -1)
[[ -x "$binary" ]] || { echo "release.sh: no $binary (run without --no-build)" >&2; exit 1; }
[[ -n "$manual" ]] || { echo "release.sh: the generate-manual plugin wrote no ferry.1" >&2; exit 1; }

version=$("$binary" --version | awk '{print $2}')
name="ferry-$version-linux-$(uname -m)"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/$name"
install -D -m 0755 "$binary" "$root/bin/ferry"
strip "$root/bin/ferry" 2>/dev/null || true
install -D -m 0644 "$manual" "$root/share/man/man1/ferry.1"
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
