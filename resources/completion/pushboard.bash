# bash completion for pushboard (installed as bash-completion/completions/pushboard)

_pushboard() {
    local cur prev words cword
    _init_completion || return

    local server_options="--bind --port --allow-origin --allow-host --max-connections --max-streams --token
        --data-dir --backplane --no-metrics --interval --keepalive --tls-cert --tls-key
        --tls-self-signed"
    local command=
    local i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            serve | tail | inspect | lab | check) command=${words[i]}; break ;;
            -*) ;;
            *) break ;;
        esac
    done

    case $prev in
        --transport)
            COMPREPLY=($(compgen -W 'sse ws poll longpoll' -- "$cur"))
            return ;;
        --theme)
            COMPREPLY=($(compgen -W 'light dark' -- "$cur"))
            return ;;
        --data-dir)
            _filedir -d
            return ;;
        --json | --har | --pcapng | --tls-cert | --tls-key | --ca | --csv | --png | --chromium)
            _filedir
            return ;;
        --buffering)
            COMPREPLY=($(compgen -W 'honour ignore' -- "$cur"))
            return ;;
        --lab)
            COMPREPLY=($(compgen -W 'idle burst proxy restart storm six-connections head-of-line
                slow-consumer' -- "$cur"))
            return ;;
        --bind | --port | --allow-origin | --allow-host | --max-connections | --max-streams | --token \
            | --interval | --keepalive | --connect | --inspect-port | --topics | --last-event-id | --max-events \
            | --duration | --listen | --upstream | --latency | --bandwidth | --pin | --poll-interval | --idle)
            return ;; # a value of the user's own
    esac

    local options
    case $command in
        serve) options="$server_options --help --version" ;;
        tail) options="--transport --topics --token --last-event-id --max-events --duration
                --no-reconnect --ca --pin --http2 --help" ;;
        inspect) options="--listen --bind --upstream --json --har --pcapng --latency --bandwidth
                --stall --black-hole --buffering --duration --quiet --help" ;;
        check) options="--token --duration --idle --json --ca --pin --help" ;;
        lab)
            if [[ $cur != -* ]]; then
                COMPREPLY=($(compgen -W 'idle burst proxy restart storm six-connections
                    head-of-line slow-consumer' -- "$cur"))
                return
            fi
            options="--duration --json --csv --png --poll-interval --chromium --no-browser --list
                --help" ;;
        *)
            if [[ $cur != -* ]] && ((cword == 1)); then
                COMPREPLY=($(compgen -W 'serve tail inspect lab check' -- "$cur"))
                return
            fi
            options="$server_options --connect --no-server --transport --theme --inspect
                --inspect-port --lab --check --ca --pin --help --version" ;;
    esac
    COMPREPLY=($(compgen -W "$options" -- "$cur"))
} &&
    complete -F _pushboard pushboard
