# shellcheck shell=bash
# The C libraries the build links, from Debian: zlib (ZIPFoundation, for xlsx), libjpeg and libpng
# (checking visit photos and making their thumbnails). Sourced by scripts/test and scripts/bench.

# Installs the -dev packages whose headers are missing (as root, or with sudo).
ensure_build_packages() {
    local missing=()
    [[ -f /usr/include/zlib.h ]] || missing+=(zlib1g-dev)
    [[ -f /usr/include/jpeglib.h ]] || missing+=(libjpeg62-turbo-dev)
    [[ -f /usr/include/png.h ]] || missing+=(libpng-dev)
    (( ${#missing[@]} )) || return 0
    local sudo=()
    if [[ $EUID -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 || { echo "missing C libraries: install the Debian packages ${missing[*]}" >&2; return 1; }
        sudo=(sudo)
    fi
    echo "installing the Debian packages ${missing[*]}" >&2
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}
