#!/usr/bin/env bash
# tests/packaging/check_packages.sh BUILD_DIR SOURCE_DIR VERSION APP_ID (ctest label: packaging)
#
# Builds the .deb and the .tar.gz from BUILD_DIR with CPack and checks them as a user receives
# them: the .deb's metadata, its file list, that every library and every plugin or QML module the
# program loads comes from a package its Depends names (read from the QML sources with
# qmlimportscanner, and from the running window's own memory map), the unpacked program's
# --version, `serve` answering /api/health and streaming a published event, the desktop entry and
# AppStream metadata, the man pages and the completion against each command's --help, lintian,
# `apt-get install --simulate`, and the tarball. Every check prints ok: or FAIL:.
set -uo pipefail
build=$1 source=$2 version=$3 app_id=$4

work=$(mktemp -d /tmp/pushboard-packages.XXXXXX)
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

failures=0
ok() { echo "ok: $*"; }
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
check() { # check DESCRIPTION COMMAND...: ok or FAIL by the command's exit status
    local what=$1
    shift
    if "$@"; then ok "$what"; else fail "$what"; fi
}
# wait_for SECONDS COMMAND...: runs COMMAND until it succeeds. SECONDS is when to give up on a
# broken program, not a measurement: a healthy one succeeds long before.
wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}
tool() { # tool COMMAND DEBIAN_PACKAGE
    command -v "$1" >/dev/null && return 0
    echo "FAIL: $1 is missing: apt-get install $2 (scripts/test installs it)"
    exit 1
}
tool cpack cmake
tool dpkg-shlibdeps dpkg-dev
tool file file
tool lintian lintian
tool desktop-file-validate desktop-file-utils
tool appstreamcli appstream
tool curl curl
tool man man-db
tool objdump binutils
[ -f /usr/share/bash-completion/bash_completion ] || tool bash-completion bash-completion
qmlimportscanner=/usr/lib/qt6/libexec/qmlimportscanner
[ -x "$qmlimportscanner" ] || tool qmlimportscanner qt6-declarative-dev-tools
qt_qml_dir=$(dirname "$(dpkg -L qml6-module-qtquick | grep -m1 '/qml/QtQuick/qmldir$')")
qt_qml_dir=${qt_qml_dir%/QtQuick}

echo "== building the packages with CPack"
if ! cpack --config "$build/CPackConfig.cmake" -B "$work/dist" >"$work/cpack.log" 2>&1; then
    cat "$work/cpack.log"
    fail "cpack"
    exit 1
fi
deb=$work/dist/pushboard_${version}_$(dpkg --print-architecture).deb
tgz=$work/dist/pushboard-${version}-linux-$(uname -m).tar.gz
check "cpack made $(basename "$deb")" test -s "$deb"
check "cpack made $(basename "$tgz")" test -s "$tgz"
[ -s "$deb" ] && [ -s "$tgz" ] || exit 1

echo "== the .deb's metadata"
field() { dpkg-deb -f "$deb" "$1"; }
check "Package is pushboard" test "$(field Package)" = pushboard
check "Version is the project's version ($version)" test "$(field Version)" = "$version"
check "Maintainer is a name and an address ($(field Maintainer))" \
    grep -Eq '^[^<]+ <[^@ ]+@[^> ]+>$' <<<"$(field Maintainer)"
for name in Description Homepage Section Priority Architecture Installed-Size; do
    check "$name is set ($(field "$name" | head -n1))" test -n "$(field "$name")"
done
check "the long description has lines" test "$(field Description | wc -l)" -gt 3
depends=$(field Depends | tr ',|' '\n\n' | sed 's/(.*//; s/[[:space:]]//g; s/:any$//' | sort -u)
depends_on() { grep -qx "$1" <<<"$depends"; }
echo "Depends: $(field Depends)"

echo "== the file list"
sed "s/@APP_ID@/$app_id/g" "$source/tests/packaging/expected-files.txt" | sort >"$work/expected"
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $6}' | sed 's|^\./||' | sort >"$work/deb-files"
check "the .deb holds exactly tests/packaging/expected-files.txt" diff -u "$work/expected" "$work/deb-files"
bad_modes=$(dpkg-deb -c "$deb" | awk '$2 != "root/root" || ($1 ~ /^-/ && $1 != "-rw-r--r--" && $1 != "-rwxr-xr-x") || ($1 ~ /^d/ && $1 != "drwxr-xr-x")')
check "every file is root's, 0644 or 0755" test -z "$bad_modes"

root=$work/root
dpkg-deb -x "$deb" "$root"
bin=$root/usr/bin/pushboard
export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config XDG_DATA_HOME=$work/home/.local/share
mkdir -p "$HOME"

echo "== every library the program links comes from a package in Depends"
check "the binary is stripped" bash -c "file -L '$bin' | grep -q ', stripped'"
ldd "$bin" >"$work/ldd" 2>&1
for needed in $(objdump -p "$bin" | awk '$1 == "NEEDED" {print $2}'); do
    path=$(awk -v lib="$needed" '$1 == lib {print $3}' "$work/ldd")
    if [ -z "$path" ] || [ ! -e "$path" ]; then
        fail "$needed is not found on this system"
        continue
    fi
    owner=$(dpkg -S "$path" 2>/dev/null || dpkg -S "$(realpath "$path")" 2>/dev/null \
        || dpkg -S "${path#/usr}" 2>/dev/null)
    owner=${owner%%:*}
    check "$needed: from $owner, in Depends" depends_on "$owner"
done

echo "== every QML module the sources import comes from a package in Depends"
"$qmlimportscanner" -rootPath "$source/qml" -importPath "$qt_qml_dir" >"$work/imports.json"
# One {"name": ..., "path": ...} object per module; those without a path are not on this system
# (the optional styles of other platforms) and nothing loads them.
grep -o '"path": "[^"]*"' "$work/imports.json" | cut -d'"' -f4 | grep "^$qt_qml_dir/" | sort -u >"$work/import-paths"
check "qmlimportscanner found the Qt Quick modules" grep -q "/QtQuick$" "$work/import-paths"
while read -r path; do
    owner=$(dpkg -S "$path/qmldir" 2>/dev/null)
    owner=${owner%%:*}
    module=${path#"$qt_qml_dir"/}
    if [ -z "$owner" ]; then
        fail "QML module ${module//\//.}: no package owns $path/qmldir"
    else
        check "QML module ${module//\//.}: from $owner, in Depends" depends_on "$owner"
    fi
done <"$work/import-paths"

echo "== the unpacked program"
check "pushboard --version prints the project's version" \
    test "$("$bin" --version)" = "pushboard $version"
check "pushboard serve --version prints it too" \
    test "$("$bin" serve --version)" = "pushboard $version"

echo "== pushboard serve: health answered, a published event streamed"
"$bin" serve --port 0 --data-dir "$work/serve-data" >"$work/serve.out" 2>&1 &
serve_pid=$!
pids+=("$serve_pid")
listening() { grep -q 'listening on http://' "$work/serve.out"; }
if wait_for 120 listening; then
    url=$(sed -n 's|.*listening on \(http://[^ ]*\).*|\1|p' "$work/serve.out")
    health=$(curl -sS --max-time 30 "$url/api/health")
    check "/api/health says ok and version $version ($health)" \
        grep -q "\"status\":\"ok\".*\"version\":\"$version\"\|\"version\":\"$version\".*\"status\":\"ok\"" <<<"${health// /}"
    curl -sSN --max-time 300 "$url/events?topics=packaging.check" >"$work/stream.txt" 2>&1 &
    pids+=("$!")
    stream_open() { grep -q '^retry:' "$work/stream.txt"; }
    wait_for 120 stream_open
    published=$(curl -sS --max-time 30 -X POST "$url/api/publish" \
        -d '{"topic":"packaging.check","data":{"from":"check_packages"}}')
    check "the event was published ($published)" grep -q '"id"' <<<"$published"
    streamed() { grep -q '^data: .*"from":"check_packages"' "$work/stream.txt"; }
    check "the event came down the SSE stream" wait_for 120 streamed
    kill -TERM "$serve_pid"
    wait "$serve_pid"
    check "serve exits 0 on SIGTERM" test $? -eq 0
else
    fail "pushboard serve did not start: $(cat "$work/serve.out")"
fi

echo "== the dashboard window: every plugin and QML module it loads comes from a package in Depends"
QT_QPA_PLATFORM=offscreen QML_IMPORT_TRACE=1 "$bin" --port 0 --data-dir "$work/dash-data" \
    >"$work/dash.out" 2>"$work/dash.err" &
dash_pid=$!
pids+=("$dash_pid")
serving() { grep -q 'serving on http://' "$work/dash.out"; }
if wait_for 120 serving; then
    url=$(sed -n 's|.*serving on \(http://[^ ]*\).*|\1|p' "$work/dash.out")
    # The window's QML is loaded and running once its DashboardSource has connected.
    window_connected() { curl -sS --max-time 30 "$url/api/connections" | grep -q '"transport"'; }
    if wait_for 120 window_connected; then
        ok "the window loaded and connected to its server"
        grep -o "/[^ ]*\.so[^ ]*" "/proc/$dash_pid/maps" | sort -u >"$work/mapped"
        grep -o "$qt_qml_dir/[^\" ]*/qmldir" "$work/dash.err" | sed 's|/qmldir$||' | sort -u >"$work/traced"
        check "the window loaded QtCharts" grep -q '/QtCharts$' "$work/traced"
        plugins=$(grep -E '/qt6/(plugins|qml)/' "$work/mapped")
        check "the window mapped Qt plugins" test -n "$plugins"
        for path in $plugins $(sed 's|$|/qmldir|' "$work/traced"); do
            owner=$(dpkg -S "$path" 2>/dev/null)
            owner=${owner%%:*}
            name=${path#*/qt6/}
            if [ -z "$owner" ]; then
                fail "$name: no package owns it"
            else
                check "$name: from $owner, in Depends" depends_on "$owner"
            fi
        done
    else
        fail "the window never connected to its server: $(tail -n 5 "$work/dash.err")"
    fi
    kill -TERM "$dash_pid"
    wait "$dash_pid"
    check "the window exits 0 on SIGTERM" test $? -eq 0
else
    fail "the window's server did not start: $(tail -n 5 "$work/dash.out" "$work/dash.err")"
fi

echo "== desktop entry and AppStream"
desktop=$root/usr/share/applications/$app_id.desktop
metainfo=$root/usr/share/metainfo/$app_id.metainfo.xml
desktop-file-validate "$desktop" >"$work/dfv.txt" 2>&1
status=$?
check "desktop-file-validate: no error, warning or hint $(cat "$work/dfv.txt")" \
    test "$status" -eq 0 -a ! -s "$work/dfv.txt"
check "the desktop entry runs pushboard, which the package installs" \
    bash -c "grep -qx 'Exec=pushboard' '$desktop' && test -x '$root/usr/bin/pushboard'"
check "the desktop entry's icon is in the hicolor theme" \
    bash -c "grep -qx 'Icon=$app_id' '$desktop' && test -f '$root/usr/share/icons/hicolor/48x48/apps/$app_id.png' && test -f '$root/usr/share/icons/hicolor/scalable/apps/$app_id.svg'"
appstreamcli validate --no-net --explain "$metainfo" >"$work/appstream.txt" 2>&1
check "appstreamcli validate passes" test $? -eq 0 || cat "$work/appstream.txt"
check "AppStream names the desktop entry" grep -q "<launchable type=\"desktop-id\">$app_id.desktop</launchable>" "$metainfo"
check "AppStream's newest release is $version" \
    bash -c "grep -m1 '<release ' '$metainfo' | grep -q 'version=\"$version\"'"
for tag in description screenshot content_rating; do
    check "AppStream has <$tag>" grep -q "<$tag" "$metainfo"
done

echo "== man pages and completion agree with --help"
for page in "$root"/usr/share/man/man1/*.1.gz; do
    LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" >/dev/null 2>"$work/man.err"
    check "$(basename "$page") renders without warnings $(head -n3 "$work/man.err")" test ! -s "$work/man.err"
done
completion=$root/usr/share/bash-completion/completions/pushboard
check "the completion is valid bash" bash -n "$completion"
# complete WORDS... : what the completion offers for the last word, through bash-completion.
complete_words() {
    bash -c 'source /usr/share/bash-completion/bash_completion && source "$0"
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
        _pushboard; echo "${COMPREPLY[*]}"' "$completion" "$@"
}
while IFS='|' read -r words expected; do
    read -ra argv <<<"$words"
    [[ $words == *' ' ]] && argv+=("")
    got=$(complete_words "${argv[@]}")
    check "completing '$words' offers '$expected'" test "$got" = "$expected"
done <<'CASES'
pushboard |serve tail inspect lab check
pushboard se|serve
pushboard serve --da|--data-dir
pushboard tail --transport |sse ws poll longpoll
pushboard --theme d|dark
pushboard --ins|--inspect --inspect-port
pushboard inspect --q|--quiet
pushboard lab sl|slow-consumer
pushboard lab --no|--no-browser
pushboard check --i|--idle
CASES
for command in "" serve tail inspect lab check; do
    page=$root/usr/share/man/man1/pushboard${command:+-$command}.1.gz
    if [ -z "$command" ]; then # the dashboard's own parser answers --help after another option
        help=$(QT_QPA_PLATFORM=offscreen "$bin" --no-server --help)
    else
        help=$("$bin" "$command" --help)
    fi
    for option in $(grep -o -- '--[a-z][a-z0-9-]*' <<<"$help" | grep -vx -- '--help-all' | sort -u); do
        check "pushboard ${command:+$command }$option: in the man page" \
            bash -c "zcat '$page' | grep -qF -- '${option//-/\\-}'"
        check "pushboard ${command:+$command }$option: in the completion" grep -qw -- "$option" "$completion"
    done
done

echo "== lintian"
lintian --pedantic --display-info "$deb" >"$work/lintian.txt" 2>&1
cat "$work/lintian.txt"
check "lintian reports no error" bash -c "! grep -q '^E:' '$work/lintian.txt'"
for tag in $(awk '/^W:/ {print $3}' "$work/lintian.txt" | sort -u); do
    check "lintian warning $tag is listed with its reason in packaging/README.md" \
        grep -q -- "$tag" "$source/packaging/README.md"
done

echo "== apt-get install --simulate"
(cd "$work/dist" && apt-get install --simulate "./$(basename "$deb")") >"$work/apt.txt" 2>&1
status=$?
check "apt-get resolves the .deb's dependencies" \
    bash -c "[ $status -eq 0 ] && grep -Eq '^Inst pushboard |pushboard is already the newest' '$work/apt.txt'" \
    || tail -n 20 "$work/apt.txt"

echo "== the tarball"
top=pushboard-$version-linux-$(uname -m)
tar -tzf "$tgz" | grep -v '/$' | sort >"$work/tgz-files"
sed "s|^usr/|$top/|" "$work/expected" | sort >"$work/tgz-expected"
check "the tarball holds the same files under $top/" diff -u "$work/tgz-expected" "$work/tgz-files"
mkdir -p "$work/tgz"
tar -xzf "$tgz" -C "$work/tgz"
check "the tarball's pushboard --version prints $version" \
    test "$("$work/tgz/$top/bin/pushboard" --version)" = "pushboard $version"

echo
if ((failures > 0)); then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all package checks passed"
