# Shared by scripts/run and scripts/test: install what is missing, then configure and build.
# Sourced, not run. Everything here is idempotent and asks no questions.

PUSHBOARD_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PUSHBOARD_BUILD=${PUSHBOARD_BUILD:-$PUSHBOARD_ROOT/build}

# What building and running needs (Debian 12 package names).
PUSHBOARD_BUILD_PACKAGES=(
    cmake ninja-build g++ pkgconf zlib1g-dev libssl-dev libnghttp2-dev libhiredis-dev
    qt6-base-dev libqt6sql6-sqlite
    qt6-websockets-dev
    qt6-declarative-dev qt6-declarative-dev-tools qt6-charts-dev libqt6opengl6-dev
    qml6-module-qtqml qml6-module-qtqml-models qml6-module-qtqml-workerscript
    qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts
    qml6-module-qtquick-templates qml6-module-qtquick-window qml6-module-qtcharts
)

say() { printf '%s\n' "$*" >&2; }

# ensure_packages PKG...: apt-get installs the ones that are not installed yet.
ensure_packages() {
    local missing=()
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        say "pushboard: these Debian packages are missing: ${missing[*]}"
        say "pushboard: run this script as root, or: sudo apt-get install ${missing[*]}"
        return 1
    fi
    say "pushboard: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || return 1
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || return 1
}

# ensure_node_modules DIR: `npm ci` in DIR unless its node_modules matches its package-lock.json.
ensure_node_modules() {
    local dir=$1
    [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ] && return 0
    say "pushboard: installing the npm packages of ${dir#$PUSHBOARD_ROOT/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || return 1
}

# build [-DOPTION=VALUE...]: configures (CMake + Ninja) the first time or when options are
# given, and builds what changed.
build() {
    if [ ! -f "$PUSHBOARD_BUILD/build.ninja" ] || [ $# -gt 0 ]; then
        cmake -S "$PUSHBOARD_ROOT" -B "$PUSHBOARD_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null || return 1
    fi
    cmake --build "$PUSHBOARD_BUILD" || return 1
}
