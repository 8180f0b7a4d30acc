# Where the Swift toolchain lives: a minimal Debian 13 root with `swiftlang`, kept outside the
# checkout and reused between runs. Sourced by scripts/setup.d/swift.sh and scripts/test.d/swift.sh.
JETON_TOOLS=${JETON_TOOLS:-$HOME/.cache/jeton-tools}
SWIFT_ROOT=${SWIFT_ROOT:-$JETON_TOOLS/swift-root}
# Written last by the set-up, so a half-made root is never taken for a ready one.
SWIFT_ROOT_READY=$SWIFT_ROOT/.jeton-swift-ready
