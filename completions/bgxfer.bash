#!/bin/bash

__bgxfer_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__bgxfer_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__bgxfer_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__bgxfer_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_bgxfer() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __bgxfer_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    download|upload|list|show|wait|suspend|resume|cancel|remove|clean|refresh|session|wake|timer|doctor|help)
        # Offer subcommand argument completions
        "_bgxfer_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'download upload list show wait suspend resume cancel remove clean refresh session wake timer doctor help' -- "${cur}"))
        ;;
    esac
}

_bgxfer_download() {
    repeating_flags=()
    non_repeating_flags=(--overwrite --content-disposition --insecure --allow-downgrade --discretionary --notify --wait --json --version -h --help)
    repeating_options=(-H --header)
    non_repeating_options=(--output -o --directory -d --checksum --session --limit-rate --connect-timeout --no-progress-timeout --retries --give-up-after --begin-after --begin-at --metered --battery --success-title --failure-title)
    __bgxfer_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--output'|'-o')
        return
        ;;
    '--directory'|'-d')
        return
        ;;
    '--checksum')
        return
        ;;
    '-H'|'--header')
        return
        ;;
    '--session')
        return
        ;;
    '--limit-rate')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--no-progress-timeout')
        return
        ;;
    '--retries')
        return
        ;;
    '--give-up-after')
        return
        ;;
    '--begin-after')
        return
        ;;
    '--begin-at')
        return
        ;;
    '--metered')
        __bgxfer_add_completions -W 'allow'$'\n''wait'
        return
        ;;
    '--battery')
        __bgxfer_add_completions -W 'allow'$'\n''wait'
        return
        ;;
    '--success-title')
        return
        ;;
    '--failure-title')
        return
        ;;
    esac
}

_bgxfer_upload() {
    repeating_flags=()
    non_repeating_flags=(--insecure --allow-downgrade --discretionary --notify --wait --json --version -h --help)
    repeating_options=(-F --form -H --header)
    non_repeating_options=(-X --request --protocol --reply --session --limit-rate --connect-timeout --no-progress-timeout --retries --give-up-after --begin-after --begin-at --metered --battery --success-title --failure-title)
    __bgxfer_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-X'|'--request')
        return
        ;;
    '-F'|'--form')
        return
        ;;
    '--protocol')
        return
        ;;
    '--reply')
        __bgxfer_add_completions -f
        return
        ;;
    '-H'|'--header')
        return
        ;;
    '--session')
        return
        ;;
    '--limit-rate')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--no-progress-timeout')
        return
        ;;
    '--retries')
        return
        ;;
    '--give-up-after')
        return
        ;;
    '--begin-after')
        return
        ;;
    '--begin-at')
        return
        ;;
    '--metered')
        __bgxfer_add_completions -W 'allow'$'\n''wait'
        return
        ;;
    '--battery')
        __bgxfer_add_completions -W 'allow'$'\n''wait'
        return
        ;;
    '--success-title')
        return
        ;;
    '--failure-title')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __bgxfer_add_completions -f
        return
        ;;
    esac
}

_bgxfer_list() {
    repeating_flags=()
    non_repeating_flags=(--downloads --uploads --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--state --session)
    __bgxfer_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--state')
        __bgxfer_add_completions -W 'scheduled'$'\n''queued'$'\n''running'$'\n''waiting'$'\n''suspended'$'\n''completed'$'\n''failed'$'\n''canceled'
        return
        ;;
    '--session')
        return
        ;;
    esac
}

_bgxfer_show() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __bgxfer_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __bgxfer_add_completions -W "$(__bgxfer_custom_complete ---completion show -- positional@0 "${COMP_CWORD}" "$(__bgxfer_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_bgxfer_wait() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __bgxfer_offer_flags_options -1

    # Offer positional completions
    case "${positional_number}" in
    *)
        __bgxfer_add_completions -W "$(__bgxfer_custom_complete ---completion wait -- positional@0 "${COMP_CWORD}" "$(__bgxfer_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_bgxfer_suspend() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __bgxfer_offer_flags_options -1

    # Offer positional completions
    case "${positional_number}" in
    *)
        __bgxfer_add_completions -W "$(__bgxfer_custom_complete ---completion suspend -- positional@0 "${COMP_CWORD}" "$(__bgxfer_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_bgxfer_resume() {
    repeating_flags=()
    non_repeating_flags=(--json --insecure --allow-downgrade --discretionary --notify --version -h --help)
    repeating_options=(-H --header)
    non_repeating_options=(--resume-data --output -o --session --limit-rate --connect-timeout --no-progress-timeout --retries --give-up-after --begin-after --begin-at --metered --battery --success-title --failure-title)
    __bgxfer_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--resume-data')
        __bgxfer_add_completions -f
        return
        ;;
    '--output'|'-o')
        return
        ;;
    '-H'|'--header')
        return
        ;;
    '--session')
        return
        ;;
    '--limit-rate')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--no-progress-timeout')
        return
        ;;
    '--retries')
        return
        ;;
    '--give-up-after')
        return
        ;;
    '--begin-after')
        return
        ;;
    '--begin-at')
        return
        ;;
    '--metered')
        __bgxfer_add_completions -W 'allow'$'\n''wait'
        return
        ;;
    '--battery')
        __bgxfer_add_completions -W 'allow'$'\n''wait'
        return
        ;;
    '--success-title')
        return
        ;;
    '--failure-title')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __bgxfer_add_completions -W "$(__bgxfer_custom_complete ---completion resume -- positional@0 "${COMP_CWORD}" "$(__bgxfer_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_bgxfer_cancel() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--resume-data)
    __bgxfer_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--resume-data')
        __bgxfer_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __bgxfer_add_completions -W "$(__bgxfer_custom_complete ---completion cancel -- positional@0 "${COMP_CWORD}" "$(__bgxfer_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_bgxfer_remove() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __bgxfer_offer_flags_options -1

    # Offer positional completions
    case "${positional_number}" in
    *)
        __bgxfer_add_completions -W "$(__bgxfer_custom_complete ---completion remove -- positional@0 "${COMP_CWORD}" "$(__bgxfer_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_bgxfer_clean() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--older-than)
    __bgxfer_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--older-than')
        return
        ;;
    esac
}

_bgxfer_refresh() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __bgxfer_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    add|list|remove|run)
        # Offer subcommand argument completions
        "_bgxfer_refresh_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'add list remove run' -- "${cur}"))
        ;;
    esac
}

_bgxfer_refresh_add() {
    repeating_flags=()
    non_repeating_flags=(--notify --discretionary --json --version -h --help)
    repeating_options=(-H --header)
    non_repeating_options=(--output -o --every --session --success-title --failure-title --metered --battery)
    __bgxfer_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--output'|'-o')
        __bgxfer_add_completions -f
        return
        ;;
    '--every')
        return
        ;;
    '-H'|'--header')
        return
        ;;
    '--session')
        return
        ;;
    '--success-title')
        return
        ;;
    '--failure-title')
        return
        ;;
    '--metered')
        __bgxfer_add_completions -W 'allow'$'\n''wait'
        return
        ;;
    '--battery')
        __bgxfer_add_completions -W 'allow'$'\n''wait'
        return
        ;;
    esac
}

_bgxfer_refresh_list() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __bgxfer_offer_flags_options 0
}

_bgxfer_refresh_remove() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __bgxfer_offer_flags_options -1

    # Offer positional completions
    case "${positional_number}" in
    *)
        __bgxfer_add_completions -W "$(__bgxfer_custom_complete ---completion refresh remove -- positional@0 "${COMP_CWORD}" "$(__bgxfer_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_bgxfer_refresh_run() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __bgxfer_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __bgxfer_add_completions -W "$(__bgxfer_custom_complete ---completion refresh run -- positional@0 "${COMP_CWORD}" "$(__bgxfer_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_bgxfer_session() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __bgxfer_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list|finish|cancel|set)
        # Offer subcommand argument completions
        "_bgxfer_session_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list finish cancel set' -- "${cur}"))
        ;;
    esac
}

_bgxfer_session_list() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __bgxfer_offer_flags_options 0
}

_bgxfer_session_finish() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __bgxfer_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __bgxfer_add_completions -W "$(__bgxfer_custom_complete ---completion session finish -- positional@0 "${COMP_CWORD}" "$(__bgxfer_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_bgxfer_session_cancel() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __bgxfer_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __bgxfer_add_completions -W "$(__bgxfer_custom_complete ---completion session cancel -- positional@0 "${COMP_CWORD}" "$(__bgxfer_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_bgxfer_session_set() {
    repeating_flags=()
    non_repeating_flags=(--discretionary --version -h --help)
    repeating_options=()
    non_repeating_options=(--parallel --metered --battery)
    __bgxfer_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--parallel')
        return
        ;;
    '--metered')
        __bgxfer_add_completions -W 'allow'$'\n''wait'
        return
        ;;
    '--battery')
        __bgxfer_add_completions -W 'allow'$'\n''wait'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __bgxfer_add_completions -W "$(__bgxfer_custom_complete ---completion session set -- positional@0 "${COMP_CWORD}" "$(__bgxfer_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_bgxfer_wake() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __bgxfer_offer_flags_options 0
}

_bgxfer_timer() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __bgxfer_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    install|uninstall|status|cron)
        # Offer subcommand argument completions
        "_bgxfer_timer_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'install uninstall status cron' -- "${cur}"))
        ;;
    esac
}

_bgxfer_timer_install() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __bgxfer_offer_flags_options 0
}

_bgxfer_timer_uninstall() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __bgxfer_offer_flags_options 0
}

_bgxfer_timer_status() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __bgxfer_offer_flags_options 0
}

_bgxfer_timer_cron() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __bgxfer_offer_flags_options 0
}

_bgxfer_doctor() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __bgxfer_offer_flags_options 0
}

_bgxfer_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __bgxfer_offer_flags_options -1
}

complete -o filenames -F _bgxfer bgxfer
