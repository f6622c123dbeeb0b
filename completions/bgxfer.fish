function __bgxfer_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __bgxfer_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __bgxfer_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __bgxfer_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __bgxfer_parse_tokens -S
    set -l unparsed_tokens (__bgxfer_tokens -pc)
    switch $unparsed_tokens[1]
    case 'bgxfer'
        __bgxfer_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'download'
            __bgxfer_parse_subcommand 1 'o/output=' 'd/directory=' 'overwrite' 'content-disposition' 'checksum=' 'H/header=+' 'session=' 'limit-rate=' 'connect-timeout=' 'no-progress-timeout=' 'retries=' 'give-up-after=' 'begin-after=' 'begin-at=' 'insecure' 'allow-downgrade' 'metered=' 'battery=' 'discretionary' 'notify' 'success-title=' 'failure-title=' 'wait' 'json' 'version' 'h/help'
        case 'upload'
            __bgxfer_parse_subcommand 2 'X/request=' 'F/form=+' 'protocol=' 'reply=' 'H/header=+' 'session=' 'limit-rate=' 'connect-timeout=' 'no-progress-timeout=' 'retries=' 'give-up-after=' 'begin-after=' 'begin-at=' 'insecure' 'allow-downgrade' 'metered=' 'battery=' 'discretionary' 'notify' 'success-title=' 'failure-title=' 'wait' 'json' 'version' 'h/help'
        case 'list'
            __bgxfer_parse_subcommand 0 'downloads' 'uploads' 'state=' 'session=' 'json' 'version' 'h/help'
        case 'show'
            __bgxfer_parse_subcommand 1 'json' 'version' 'h/help'
        case 'wait'
            __bgxfer_parse_subcommand -r 1 'json' 'version' 'h/help'
        case 'suspend'
            __bgxfer_parse_subcommand -r 1 'version' 'h/help'
        case 'resume'
            __bgxfer_parse_subcommand -r 1 'resume-data=' 'o/output=' 'json' 'H/header=+' 'session=' 'limit-rate=' 'connect-timeout=' 'no-progress-timeout=' 'retries=' 'give-up-after=' 'begin-after=' 'begin-at=' 'insecure' 'allow-downgrade' 'metered=' 'battery=' 'discretionary' 'notify' 'success-title=' 'failure-title=' 'version' 'h/help'
        case 'cancel'
            __bgxfer_parse_subcommand -r 1 'resume-data=' 'version' 'h/help'
        case 'remove'
            __bgxfer_parse_subcommand -r 1 'version' 'h/help'
        case 'clean'
            __bgxfer_parse_subcommand 0 'older-than=' 'version' 'h/help'
        case 'refresh'
            __bgxfer_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'add'
                __bgxfer_parse_subcommand 1 'o/output=' 'every=' 'H/header=+' 'session=' 'notify' 'success-title=' 'failure-title=' 'metered=' 'battery=' 'discretionary' 'json' 'version' 'h/help'
            case 'list'
                __bgxfer_parse_subcommand 0 'json' 'version' 'h/help'
            case 'remove'
                __bgxfer_parse_subcommand -r 1 'version' 'h/help'
            case 'run'
                __bgxfer_parse_subcommand 1 'version' 'h/help'
            end
        case 'session'
            __bgxfer_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'list'
                __bgxfer_parse_subcommand 0 'json' 'version' 'h/help'
            case 'finish'
                __bgxfer_parse_subcommand 1 'version' 'h/help'
            case 'cancel'
                __bgxfer_parse_subcommand 1 'version' 'h/help'
            case 'set'
                __bgxfer_parse_subcommand 1 'parallel=' 'metered=' 'battery=' 'discretionary' 'version' 'h/help'
            end
        case 'wake'
            __bgxfer_parse_subcommand 0 'version' 'h/help'
        case 'timer'
            __bgxfer_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'install'
                __bgxfer_parse_subcommand 0 'version' 'h/help'
            case 'uninstall'
                __bgxfer_parse_subcommand 0 'version' 'h/help'
            case 'status'
                __bgxfer_parse_subcommand 0 'json' 'version' 'h/help'
            case 'cron'
                __bgxfer_parse_subcommand 0 'version' 'h/help'
            end
        case 'doctor'
            __bgxfer_parse_subcommand 0 'json' 'version' 'h/help'
        case 'help'
            __bgxfer_parse_subcommand -r 1 'version'
        end
    end
end

function __bgxfer_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __bgxfer_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __bgxfer_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __bgxfer_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__bgxfer_tokens -p)
    if test -z "$(__bgxfer_tokens -t)"
        set -l index (count (__bgxfer_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'bgxfer' -f
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer" -eq 1' -fa 'download' -d 'Download a URL in the background.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer" -eq 1' -fa 'upload' -d 'Upload a file in the background.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer" -eq 1' -fa 'list' -d 'List tasks, newest first: ID, kind, state, progress, size, speed, name.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer" -eq 1' -fa 'show' -d 'Show one task in full: request, response headers, validators, attempts, error, log.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer" -eq 1' -fa 'wait' -d 'Follow tasks until they end; exit 0 only if all completed.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer" -eq 1' -fa 'suspend' -d 'Pause tasks, keeping every byte on disk; \'bgxfer resume\' continues them.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer" -eq 1' -fa 'resume' -d 'Continue suspended or failed tasks, or make a new task from resume data.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer" -eq 1' -fa 'cancel' -d 'Stop tasks and delete their partial files, or keep one as resume data.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer" -eq 1' -fa 'remove' -d 'Forget ended tasks (downloaded files stay).'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer" -eq 1' -fa 'clean' -d 'Forget every ended task, or those that ended long enough ago (files stay).'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer" -eq 1' -fa 'refresh' -d 'Keep a file fresh: re-fetch a URL at most every 15 minutes, only when it changed.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer" -eq 1' -fa 'session' -d 'List sessions, let one finish, cancel one, or set how many transfers it runs at once.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer" -eq 1' -fa 'wake' -d 'Run what is due: refresh tasks, scheduled tasks whose time has come, queued tasks and tasks left by a worker that died.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer" -eq 1' -fa 'timer' -d 'Install, remove or inspect the timer that runs \'bgxfer wake\' every 15 minutes.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer" -eq 1' -fa 'doctor' -d 'Check what bgxfer relies on: systemd user manager, lingering, journal, session bus, notifications, network.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer download" o output' -l 'output' -s 'o' -d 'Save to this path.' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer download" d directory' -l 'directory' -s 'd' -d 'Save into this directory.' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer download" overwrite' -l 'overwrite' -d 'Replace the destination if it exists.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer download" content-disposition' -l 'content-disposition' -d 'Take the file name from the server\'s Content-Disposition header (else the URL\'s).'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer download" checksum' -l 'checksum' -d 'Verify the file before saving it: sha256:<64 hex digits>.' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer download"' -s 'H' -l 'header' -d 'Send this request header; repeat for more.' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer download" session' -l 'session' -d 'Run the task in this session (one worker per session; default: default).' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer download" limit-rate' -l 'limit-rate' -d 'Limit the speed, in bytes per second: 500K, 2M, 1G.' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer download" connect-timeout' -l 'connect-timeout' -d 'Give up connecting after this long: 30s, 2m.' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer download" no-progress-timeout' -l 'no-progress-timeout' -d 'Abandon an attempt that receives nothing for this long (default: 2m).' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer download" retries' -l 'retries' -d 'Fail after this many attempts in all, the first included (default: retry until --give-up-after).' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer download" give-up-after' -l 'give-up-after' -d 'Fail when transient failures have let nothing through for this long: 30m, 2d (default: 7d).' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer download" begin-after' -l 'begin-after' -d 'Start no sooner than this long from now: 90s, 15m, 2h.' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer download" begin-at' -l 'begin-at' -d 'Start no sooner than this time: RFC 3339, or HH:MM (the next such moment).' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer download" insecure' -l 'insecure' -d 'Do not verify the server\'s TLS certificate.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer download" allow-downgrade' -l 'allow-downgrade' -d 'Follow redirects from https to http or ftp.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer download" metered' -l 'metered' -d 'On a metered network (NetworkManager): allow the transfer, or wait for an unmetered one.' -rfka 'allow wait'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer download" battery' -l 'battery' -d 'On battery power (UPower): allow the transfer, or wait for mains power.' -rfka 'allow wait'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer download" discretionary' -l 'discretionary' -d 'Transfer only when it costs nothing: --metered wait --battery wait.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer download" notify' -l 'notify' -d 'Show a desktop notification when the task ends.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer download" success-title' -l 'success-title' -d 'The notification\'s title when the task completes (implies --notify).' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer download" failure-title' -l 'failure-title' -d 'The notification\'s title when the task fails (implies --notify).' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer download" wait' -l 'wait' -d 'Wait for the download to end, showing its progress (exit 1 unless it completed).'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer download" json' -l 'json' -d 'Print the task as JSON (and, with --wait, its events as JSON lines).'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer download" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer download" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer upload" -eq 1' -F
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer upload" X request' -s 'X' -l 'request' -d 'The HTTP method: POST (the default), PUT or PATCH.' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer upload"' -s 'F' -l 'form' -d 'A multipart/form-data part: name=value, or name=@file[;type=TYPE][;filename=NAME]; repeat for more.' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer upload" protocol' -l 'protocol' -d 'How the upload resumes: plain, tus or rufh.' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer upload" reply' -l 'reply' -d 'Write the server\'s reply body to this file when the upload completes.' -rF
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer upload"' -s 'H' -l 'header' -d 'Send this request header; repeat for more.' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer upload" session' -l 'session' -d 'Run the task in this session (one worker per session; default: default).' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer upload" limit-rate' -l 'limit-rate' -d 'Limit the speed, in bytes per second: 500K, 2M, 1G.' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer upload" connect-timeout' -l 'connect-timeout' -d 'Give up connecting after this long: 30s, 2m.' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer upload" no-progress-timeout' -l 'no-progress-timeout' -d 'Abandon an attempt that receives nothing for this long (default: 2m).' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer upload" retries' -l 'retries' -d 'Fail after this many attempts in all, the first included (default: retry until --give-up-after).' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer upload" give-up-after' -l 'give-up-after' -d 'Fail when transient failures have let nothing through for this long: 30m, 2d (default: 7d).' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer upload" begin-after' -l 'begin-after' -d 'Start no sooner than this long from now: 90s, 15m, 2h.' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer upload" begin-at' -l 'begin-at' -d 'Start no sooner than this time: RFC 3339, or HH:MM (the next such moment).' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer upload" insecure' -l 'insecure' -d 'Do not verify the server\'s TLS certificate.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer upload" allow-downgrade' -l 'allow-downgrade' -d 'Follow redirects from https to http or ftp.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer upload" metered' -l 'metered' -d 'On a metered network (NetworkManager): allow the transfer, or wait for an unmetered one.' -rfka 'allow wait'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer upload" battery' -l 'battery' -d 'On battery power (UPower): allow the transfer, or wait for mains power.' -rfka 'allow wait'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer upload" discretionary' -l 'discretionary' -d 'Transfer only when it costs nothing: --metered wait --battery wait.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer upload" notify' -l 'notify' -d 'Show a desktop notification when the task ends.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer upload" success-title' -l 'success-title' -d 'The notification\'s title when the task completes (implies --notify).' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer upload" failure-title' -l 'failure-title' -d 'The notification\'s title when the task fails (implies --notify).' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer upload" wait' -l 'wait' -d 'Wait for the upload to end, showing its progress (exit 1 unless it completed).'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer upload" json' -l 'json' -d 'Print the task as JSON (and, with --wait, its events as JSON lines).'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer upload" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer upload" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer list" downloads' -l 'downloads' -d 'Only downloads.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer list" uploads' -l 'uploads' -d 'Only uploads.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer list" state' -l 'state' -d 'Only tasks in this state.' -rfka 'scheduled queued running waiting suspended completed failed canceled'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer list" session' -l 'session' -d 'Only tasks of this session.' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer list" json' -l 'json' -d 'Print a JSON array of task objects.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer list" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer show" -eq 1' -fka '(__bgxfer_custom_completion ---completion show -- positional@0 (count (__bgxfer_tokens -pc)) (__bgxfer_tokens -tC))'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer show" json' -l 'json' -d 'Print the task object as JSON, with the request, response and log.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer show" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer wait" -ge 1' -fka '(__bgxfer_custom_completion ---completion wait -- positional@0 (count (__bgxfer_tokens -pc)) (__bgxfer_tokens -tC))'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer wait" json' -l 'json' -d 'Print events as JSON lines even on a terminal.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer wait" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer wait" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer suspend" -ge 1' -fka '(__bgxfer_custom_completion ---completion suspend -- positional@0 (count (__bgxfer_tokens -pc)) (__bgxfer_tokens -tC))'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer suspend" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer suspend" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer resume" -ge 1' -fka '(__bgxfer_custom_completion ---completion resume -- positional@0 (count (__bgxfer_tokens -pc)) (__bgxfer_tokens -tC))'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer resume" resume-data' -l 'resume-data' -d 'Continue from this resume data instead.' -rF
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer resume" o output' -l 'output' -s 'o' -d 'With --resume-data: save to this path instead.' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer resume" json' -l 'json' -d 'With --resume-data: print the new task as JSON.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer resume"' -s 'H' -l 'header' -d 'Send this request header; repeat for more.' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer resume" session' -l 'session' -d 'Run the task in this session (one worker per session; default: default).' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer resume" limit-rate' -l 'limit-rate' -d 'Limit the speed, in bytes per second: 500K, 2M, 1G.' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer resume" connect-timeout' -l 'connect-timeout' -d 'Give up connecting after this long: 30s, 2m.' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer resume" no-progress-timeout' -l 'no-progress-timeout' -d 'Abandon an attempt that receives nothing for this long (default: 2m).' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer resume" retries' -l 'retries' -d 'Fail after this many attempts in all, the first included (default: retry until --give-up-after).' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer resume" give-up-after' -l 'give-up-after' -d 'Fail when transient failures have let nothing through for this long: 30m, 2d (default: 7d).' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer resume" begin-after' -l 'begin-after' -d 'Start no sooner than this long from now: 90s, 15m, 2h.' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer resume" begin-at' -l 'begin-at' -d 'Start no sooner than this time: RFC 3339, or HH:MM (the next such moment).' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer resume" insecure' -l 'insecure' -d 'Do not verify the server\'s TLS certificate.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer resume" allow-downgrade' -l 'allow-downgrade' -d 'Follow redirects from https to http or ftp.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer resume" metered' -l 'metered' -d 'On a metered network (NetworkManager): allow the transfer, or wait for an unmetered one.' -rfka 'allow wait'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer resume" battery' -l 'battery' -d 'On battery power (UPower): allow the transfer, or wait for mains power.' -rfka 'allow wait'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer resume" discretionary' -l 'discretionary' -d 'Transfer only when it costs nothing: --metered wait --battery wait.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer resume" notify' -l 'notify' -d 'Show a desktop notification when the task ends.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer resume" success-title' -l 'success-title' -d 'The notification\'s title when the task completes (implies --notify).' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer resume" failure-title' -l 'failure-title' -d 'The notification\'s title when the task fails (implies --notify).' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer resume" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer resume" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer cancel" -ge 1' -fka '(__bgxfer_custom_completion ---completion cancel -- positional@0 (count (__bgxfer_tokens -pc)) (__bgxfer_tokens -tC))'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer cancel" resume-data' -l 'resume-data' -d 'Write resume data to this file before canceling.' -rF
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer cancel" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer cancel" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer remove" -ge 1' -fka '(__bgxfer_custom_completion ---completion remove -- positional@0 (count (__bgxfer_tokens -pc)) (__bgxfer_tokens -tC))'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer remove" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer remove" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer clean" older-than' -l 'older-than' -d 'Only tasks that ended more than this long ago: 12h, 7d.' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer clean" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer clean" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer refresh" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer refresh" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer refresh" -eq 1' -fa 'add' -d 'Add a refresh task; its first run starts at once. Prints its ID.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer refresh" -eq 1' -fa 'list' -d 'List refresh tasks: next due time, last result, last change.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer refresh" -eq 1' -fa 'remove' -d 'Remove refresh tasks (the files stay; a run in progress ends on its own).'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer refresh" -eq 1' -fa 'run' -d 'Run a refresh task now, whether due or not, and wait for its result (exit 1 if it failed).'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer refresh add" o output' -l 'output' -s 'o' -d 'The file to keep fresh.' -rF
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer refresh add" every' -l 'every' -d 'How often: at least 15m (90m, 6h, 1d).' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer refresh add"' -s 'H' -l 'header' -d 'Send this request header; repeat for more.' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer refresh add" session' -l 'session' -d 'Run in this session (one worker per session).' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer refresh add" notify' -l 'notify' -d 'Show a desktop notification when the task ends.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer refresh add" success-title' -l 'success-title' -d 'The notification\'s title when the task completes (implies --notify).' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer refresh add" failure-title' -l 'failure-title' -d 'The notification\'s title when the task fails (implies --notify).' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer refresh add" metered' -l 'metered' -d 'On a metered network (NetworkManager): allow the transfer, or wait for an unmetered one.' -rfka 'allow wait'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer refresh add" battery' -l 'battery' -d 'On battery power (UPower): allow the transfer, or wait for mains power.' -rfka 'allow wait'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer refresh add" discretionary' -l 'discretionary' -d 'Transfer only when it costs nothing: --metered wait --battery wait.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer refresh add" json' -l 'json' -d 'Print the refresh task as JSON.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer refresh add" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer refresh add" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer refresh list" json' -l 'json' -d 'Print a JSON array.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer refresh list" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer refresh list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer refresh remove" -ge 1' -fka '(__bgxfer_custom_completion ---completion refresh remove -- positional@0 (count (__bgxfer_tokens -pc)) (__bgxfer_tokens -tC))'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer refresh remove" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer refresh remove" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer refresh run" -eq 1' -fka '(__bgxfer_custom_completion ---completion refresh run -- positional@0 (count (__bgxfer_tokens -pc)) (__bgxfer_tokens -tC))'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer refresh run" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer refresh run" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer session" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer session" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer session" -eq 1' -fa 'list' -d 'List sessions: state, parallelism, tasks running, pending, suspended and ended, worker PID.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer session" -eq 1' -fa 'finish' -d 'Let a session\'s tasks end, taking no new ones meanwhile.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer session" -eq 1' -fa 'cancel' -d 'Cancel every task of a session that has not ended; print their IDs.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer session" -eq 1' -fa 'set' -d 'Set how many of a session\'s transfers run at once, and its new tasks\' network and power policy.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer session list" json' -l 'json' -d 'Print a JSON array.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer session list" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer session list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer session finish" -eq 1' -fka '(__bgxfer_custom_completion ---completion session finish -- positional@0 (count (__bgxfer_tokens -pc)) (__bgxfer_tokens -tC))'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer session finish" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer session finish" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer session cancel" -eq 1' -fka '(__bgxfer_custom_completion ---completion session cancel -- positional@0 (count (__bgxfer_tokens -pc)) (__bgxfer_tokens -tC))'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer session cancel" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer session cancel" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer session set" -eq 1' -fka '(__bgxfer_custom_completion ---completion session set -- positional@0 (count (__bgxfer_tokens -pc)) (__bgxfer_tokens -tC))'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer session set" parallel' -l 'parallel' -d 'Transfers at once: 1 to 200.' -rfka ''
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer session set" metered' -l 'metered' -d 'On a metered network (NetworkManager): allow the transfer, or wait for an unmetered one.' -rfka 'allow wait'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer session set" battery' -l 'battery' -d 'On battery power (UPower): allow the transfer, or wait for mains power.' -rfka 'allow wait'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer session set" discretionary' -l 'discretionary' -d 'Transfer only when it costs nothing: --metered wait --battery wait.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer session set" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer session set" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer wake" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer wake" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer timer" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer timer" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer timer" -eq 1' -fa 'install' -d 'Write and enable the systemd user timer.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer timer" -eq 1' -fa 'uninstall' -d 'Stop and remove the systemd user timer.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer timer" -eq 1' -fa 'status' -d 'Whether the timer is installed and when it fires next.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_positional "bgxfer timer" -eq 1' -fa 'cron' -d 'Print the crontab line that runs \'bgxfer wake\' every 15 minutes.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer timer install" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer timer install" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer timer uninstall" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer timer uninstall" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer timer status" json' -l 'json' -d 'Print JSON.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer timer status" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer timer status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer timer cron" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer timer cron" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer doctor" json' -l 'json' -d 'Print the checks as a JSON object.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer doctor" version' -l 'version' -d 'Show the version.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer doctor" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bgxfer' -n '__bgxfer_should_offer_completions_for_flags_or_options "bgxfer help" version' -l 'version' -d 'Show the version.'
