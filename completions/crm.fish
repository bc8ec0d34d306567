# SPDX-License-Identifier: MIT
# Fish completion for the crm toolkit: crm, crm-add, crm-find, crm-log,
# crm-segment, crm-gdpr-export and crm-report.  The same file is installed
# as crm.fish, crm-add.fish, crm-find.fish, crm-log.fish, crm-segment.fish,
# crm-gdpr-export.fish and crm-report.fish; whichever of them fish loads
# first defines the completions of all seven.

if not set -q __crm_completion_loaded
    set -g __crm_completion_loaded 1

    function __crm_fields
        printf '%s\n' id type kind name first_name last_name email phone org \
            org_id title city postcode country birthdate gender notes ext_id \
            created updated tags attrs last_activity last_inbound \
            first_purchase last_purchase purchases revenue revenue_currency \
            open_tasks rfm_r rfm_f rfm_m rfm rfm_segment days_since_purchase \
            usual_gap churn_risk churned propensity explain
    end

    function __crm_rfm_segments
        printf '%s\n' champions potential-loyalists new promising loyal \
            need-attention about-to-sleep cannot-lose-them at-risk \
            hibernating lost
    end

    function __crm_kinds
        printf '%s\n' customer prospect lead partner supplier employee other
    end

    function __crm_event_fields
        printf '%s\n' id party_id at channel type direction subject body \
            amount currency campaign ref due assignee status attrs
    end

    function __crm_audit_fields
        printf '%s\n' id at actor program action request_id subject counts \
            prev hash
    end

    function __crm_segment_columns
        printf '%s\n' name description rules created updated frozen_at \
            pinned_in pinned_out
    end

    function __crm_attrition_columns
        printf '%s\n' since as_of active churned attrition retention
    end

    # The usual values of --encoding; when what is typed begins none of
    # them, the other encodings that iconv knows.
    function __crm_encodings
        set -l usual cp1252 'Windows-1252, Latin-1 with the euro sign and curly quotes' \
            latin1 'ISO 8859-1' \
            iso-8859-15 'Latin-9, with the euro sign' \
            utf-16le 'UTF-16, little endian, without a byte-order mark' \
            utf-16be 'UTF-16, big endian, without a byte-order mark' \
            utf-8 'UTF-8, as without --encoding'
        printf '%s\t%s\n' $usual
        set -l tok (string replace -r -- '^--encoding=' '' (commandline -ct))
        if test -n "$tok"
            and not string match -qi -- "$tok*" cp1252 latin1 iso-8859-15 utf-16le utf-16be utf-8
            # iconv ignores case: its names, in the case of what is typed.
            set -l names (iconv -l 2>/dev/null | string split -n , | string trim |
                string replace -r -- '/+$' '')
            test "$tok" = (string lower -- $tok); and set names (string lower -- $names)
            printf '%s\tKnown to iconv\n' $names
        end
    end

    # The names of the saved segments, from the store of the --db on the
    # command line, else the default one; none when there is no store.
    function __crm_segment_names
        set -l t (commandline -opc)
        set -l db
        for i in (seq (count $t))
            if test "$t[$i]" = --db; and set -q t[(math $i + 1)]
                set db --db $t[(math $i + 1)]
            else if string match -q -- '--db=*' $t[$i]
                set db $t[$i]
            end
        end
        command crm-segment $db --list --format tsv --fields name </dev/null 2>/dev/null |
            tail -n +2
    end

    # The reports of crm-report.
    function __crm_reports
        printf '%s\t%s\n' summary 'The base at a glance' \
            by 'The parties by one or two fields' \
            campaign 'The campaigns, or the one named next' \
            churn 'Customers kept, lost, won back and new per period' \
            funnel 'People from lead to customer, and the sales cycle' \
            revenue 'Net revenue, orders and average basket per period' \
            cohort 'Customers buying again, by month of first purchase' \
            tasks 'Open tasks per assignee' \
            activity 'Events per channel and period'
    end

    # The fields that crm-report's report by and --by group by.
    function __crm_report_fields
        for f in (__crm_fields)
            contains -- $f id attrs revenue explain; or printf '%s\n' $f
        end
        printf '%s\n' age_band attrs.
    end

    # The options of crm-report that take a value.
    function __crm_report_valued
        printf '%s\n' --since --until --as-of --period --by --currency --format \
            --fields --html --title --window --weights --input-format --db
    end

    # Whether the word before the cursor is the report by, not the value of
    # an option.
    function __crm_report_after_by
        set -l t (commandline -opc)
        test (count $t) -ge 2; and test "$t[-1]" = by; or return 1
        not contains -- "$t[-2]" (__crm_report_valued)
    end

    # The columns of the tables of the reports on the command line, for
    # --fields; those of every report when none is named yet.
    function __crm_report_columns
        set -l t (commandline -opc)
        set -l cols
        set -l skip 0
        set -l valued (__crm_report_valued)
        for i in (seq 2 (count $t))
            set -l w $t[$i]
            if test $skip = 1
                set skip 0
                continue
            end
            if contains -- $w $valued
                test $w = --by; and set -q t[(math $i + 1)]; and set -a cols $t[(math $i + 1)]
                set skip 1
                continue
            end
            switch $w
                case '--by=*'
                    set -a cols (string replace -- --by= '' $w)
                case summary
                    set -a cols section item value
                case by
                    set -q t[(math $i + 1)]; and set -a cols (string split , -- $t[(math $i + 1)])
                    set -a cols parties share
                    set skip 1
                case campaign
                    set -a cols campaign sent sent_total delivered delivered_total \
                        opened opened_total clicked clicked_total bounced \
                        bounced_total unsubscribed unsubscribed_total replied \
                        replied_total delivery_rate open_rate click_to_open bounce_rate
                case churn
                    set -a cols period active_start lost won_back new active_end \
                        attrition retention
                case funnel
                    set -a cols stage parties conversion of_leads customers min q1 \
                        median q3 max
                case revenue
                    set -a cols period revenue orders average_basket refunds
                case cohort
                    set -a cols cohort customers m(seq 0 11)
                case tasks
                    set -a cols assignee open overdue oldest_due
                case activity
                    set -a cols period channel events
            end
        end
        if not set -q cols[1]
            set cols section item value parties share campaign sent sent_total \
                delivered delivered_total opened opened_total clicked \
                clicked_total bounced bounced_total unsubscribed \
                unsubscribed_total replied replied_total delivery_rate open_rate \
                click_to_open bounce_rate period active_start lost won_back new \
                active_end attrition retention stage conversion of_leads \
                customers min q1 median q3 max revenue orders average_basket \
                refunds cohort m(seq 0 11) assignee open overdue oldest_due \
                channel events
        end
        printf '%s\n' $cols | sort -u
    end

    function __crm_channels
        printf '%s\n' email phone sms web visit meeting mail social other
    end

    # Common event types, with the direction they imply.
    function __crm_event_types
        printf '%s\n' call note meeting visit
        printf '%s\tdirection out\n' sent delivered refund
        printf '%s\tdirection in\n' opened clicked bounced unsubscribed replied purchase ticket
    end

    # Fields to sort on, ascending or descending.
    function __crm_sort_fields
        for f in (__crm_fields) attrs.
            contains -- $f tags attrs explain; and continue
            printf '%s\n' $f -$f
        end
    end

    # Terms of crm-find, but OR and org.TERM.
    function __crm_terms_plain
        for k in (__crm_kinds)
            printf '%s\tkind\n' kind:$k -kind:$k
        end
        printf '%s\ttype\n' type:person type:organization \
            -type:person -type:organization
        for f in (__crm_fields) attrs.
            printf '%s\tfield\n' has:$f -has:$f
        end
        printf '%s\ttag\n' tag: -tag:
        printf '%s\tage, A-B or A\n' age:
        printf '%s\tevents, TYPE,KEY=VALUE...\n' event: -event:
        for s in (__crm_segment_names)
            printf '%s\tsegment\n' segment:$s -segment:$s
        end
        for s in (__crm_rfm_segments)
            printf '%s\tRFM segment\n' rfm_segment=$s
        end
        printf '%s\tchurn risk\n' churn_risk=low churn_risk=medium churn_risk=high
        printf '%s\tchurned\n' churned=true churned=false
    end

    # Terms of crm-find.
    function __crm_terms
        __crm_terms_plain
        printf '%s\tterm about the organization\n' org.
        if string match -q -- 'org.*' (commandline -ct)
            # org.TERM: any term, about the party's organization.
            __crm_terms_plain | string replace -r '^' org.
        end
        printf '%s\talternative\n' OR
    end

    # The options of scores, which crm-find and crm-segment share, for
    # command $argv[1] under the condition $argv[2..].
    function __crm_scores --argument-names cmd
        set -l c -c $cmd
        set -q argv[2]; and set c $c -n "$argv[2]"
        complete $c -l rfm -d 'Print the RFM scores'
        complete $c -l churn -d 'Print the churn scores'
        complete $c -l propensity -d 'Print the propensity to buy'
        complete $c -l scores -d 'Print the RFM, churn and propensity scores'
        complete $c -l explain -d 'Print the inputs of each score'
        complete $c -l as-of -x -a now \
            -d 'Compute the scores as of this time: ISO 8601, a date, now, or N h/d/w/m/y ago'
        complete $c -l window -x -a '30d 90d 365d 1y' -d 'The window of F and M: N d/w/m/y'
        complete $c -l currency -x -a 'EUR USD GBP' -d 'The currency of M'
        complete $c -l weights -r -F -d 'Read weights and thresholds from this file'
    end

    # What the arguments of crm-segment so far make it: find (a segment to
    # print is named: crm-find's arguments follow), save (--save: terms
    # follow), manage (another form), or none yet.
    function __crm_segment_mode
        set -l t (commandline -opc)
        test "$t[1]" = crm; and set -e t[1]
        set -e t[1]
        set -l skip 0
        for w in $t
            if test $skip = 1
                set skip 0
                continue
            end
            switch $w
                case --save '--save=*'
                    echo save
                    return
                case --list --show '--show=*' --delete '--delete=*' --include \
                    '--include=*' --exclude '--exclude=*' --freeze '--freeze=*' \
                    --thaw '--thaw=*' --attrition
                    echo manage
                    return
                case --description --contact --input-format --db --format --fields \
                    --as-of --window --currency --weights --period
                    set skip 1
                case '-*'
                case '*'
                    echo find
                    return
            end
        end
        echo none
    end

    function __crm_segment_is --argument-names mode
        test (__crm_segment_mode) = $mode
    end

    # Whether the command line is "crm NAME ...".
    function __crm_using --argument-names name
        set -l t (commandline -opc)
        test (count $t) -ge 2; and test "$t[2]" = $name
    end

    # Options that crm-add, crm-find and crm-log share, for command
    # $argv[1] under the condition $argv[2..]; crm-log has its own --fields.
    function __crm_common --argument-names cmd
        set -l c -c $cmd
        set -q argv[2]; and set c $c -n "$argv[2]"
        complete $c -s h -l help -d 'Print a usage message and exit'
        complete $c -l version -d 'Print the version and exit'
        complete $c -l db -r -F -d 'Use the store at this path'
        complete $c -l format -x -a 'jsonl json csv tsv table vcard' -d 'Output format'
        complete $c -l csv-raw -d 'Write CSV cells without the formula guard'
        complete $c -l input-format -x -a 'csv tsv jsonl vcard lines auto' -d 'Format of input records'
        complete $c -l stdin -d 'Read records from standard input, whatever CRM_NO_STDIN says'
        complete $c -l no-stdin -d 'Do not read records from standard input'
    end

    function __crm_add_completion --argument-names cmd
        set -l c -c $cmd
        set -q argv[2]; and set c $c -n "$argv[2]"
        __crm_common $argv
        complete $c -l fields -x -a '(__fish_complete_list , __crm_fields)' \
            -d 'Print only these fields'
        complete $c -l name -x -d 'Display name'
        complete $c -l first-name -x -d 'Given name'
        complete $c -l last-name -x -d 'Family name'
        complete $c -l email -x -d 'E-mail address'
        complete $c -l phone -x -d 'Telephone number'
        complete $c -l org -x -d 'Organization of a person'
        complete $c -l title -x -d 'Job title'
        complete $c -l city -x -d City
        complete $c -l postcode -x -d Postcode
        complete $c -l country -x -d Country
        complete $c -l birthdate -x -d 'Date of birth, YYYY-MM-DD or --MM-DD'
        complete $c -l gender -x -d Gender
        complete $c -l notes -x -d Notes
        complete $c -l kind -x -a '(__crm_kinds)' -d 'Kind of party'
        complete $c -l type -x -a 'person organization' -d 'Type of party'
        complete $c -l ext-id -x -d 'Identifier in another system'
        complete $c -l tag -x -d 'Add a tag'
        complete $c -l untag -x -d 'Remove a tag'
        complete $c -l set -x -d 'Set an attribute, KEY=VALUE; KEY= removes it'
        complete $c -l key -x -a 'id email ext_id phone' -d 'Match records by this field only'
        complete $c -l on-conflict -x -a 'merge replace skip error' \
            -d 'What to do with a stored match'
        complete $c -l rejects -r -F -d 'Write refused records to this file'
        complete $c -l force -d 'With --rejects, replace an existing file'
        complete $c -l dry-run -d 'Write nothing: roll back at the end'
        complete $c -s q -l quiet -d 'Print neither parties nor summary'
        complete $c -l map -x -d 'Read input columns as other fields, FROM=TO,...'
        complete $c -l encoding -x -a '(__crm_encodings)' -d 'Read the input in this encoding'
        complete $c -l from -x -a 'list google outlook outlook-fr outlook-com hubspot salesforce mailchimp linkedin' -d 'Read an export of another system by its name'
    end

    function __crm_find_completion --argument-names cmd
        set -l c -c $cmd
        set -q argv[2]; and set c $c -n "$argv[2]"
        __crm_common $argv
        complete $c -l fields -x -a '(__fish_complete_list , __crm_fields)' \
            -d 'Print only these fields'
        complete $c -f -a '(__crm_terms)'
        complete $c -l sort -x -a '(__crm_sort_fields)' \
            -d 'Sort by this field, descending after -'
        complete $c -l limit -x -d 'Print at most this many parties'
        complete $c -l count -d 'Print the number of matching parties'
        complete $c -l ids -d 'Print the ids of matching parties'
        __crm_scores $argv
    end

    function __crm_log_completion --argument-names cmd
        set -l c -c $cmd
        set -q argv[2]; and set c $c -n "$argv[2]"
        __crm_common $argv
        complete $c -f
        complete $c -l fields -x -a '(__fish_complete_list , __crm_event_fields)' \
            -d 'Print only these fields'
        complete $c -l contact -x -d 'The party: id, e-mail or ext_id'
        complete $c -l type -x -a '(__crm_event_types)' -d 'What happened'
        complete $c -l channel -x -a '(__crm_channels)' -d 'How it happened'
        complete $c -l at -x -d 'When: ISO 8601, now, or N h/d/w/m/y ago'
        complete $c -l direction -x -a 'in out' -d 'Towards the user, or the party'
        complete $c -l subject -x -d Subject
        complete $c -l body -x -d Body
        complete $c -l amount -x -d 'Amount of money, at most 4 decimals'
        complete $c -l currency -x -d 'ISO 4217 currency code'
        complete $c -l campaign -x -d Campaign
        complete $c -l ref -x -d 'Reference, recorded once per party'
        complete $c -l set -x -d 'Set an attribute, KEY=VALUE'
        complete $c -l dry-run -d 'Write nothing: roll back at the end'
        complete $c -s q -l quiet -d 'Print neither events nor summary'
        complete $c -l list -d 'List events instead of recording one'
        complete $c -l since -x -d 'List events at this time or later'
        complete $c -l until -x -d 'List events before this time'
        complete $c -l reverse -d 'List the oldest events first'
        complete $c -l limit -x -d 'List at most this many events'
        complete $c -l task -x -d 'Record a task with this subject'
        complete $c -l due -x -d 'The day a task is due: YYYY-MM-DD or +Nd'
        complete $c -l assignee -x -d 'Who is to do the task'
        complete $c -l spread -x -d 'Spread due dates over the working days of N days (Nd)'
        complete $c -l tasks -d 'List the open tasks, by due date'
        complete $c -l overdue -d 'Only the tasks due before today'
        complete $c -l due-before -x -d 'Only the tasks due before this day'
        complete $c -l done -x -d 'Mark a task done'
        complete $c -l reopen -x -d 'Mark a task open again'
        complete $c -l import -d 'Import events from CSV or JSON Lines files'
        complete $c -l rejects -r -F -d 'Write refused records to this file'
        complete $c -l force -d 'With --rejects, replace an existing file'
        complete $c -l create-missing -d 'Create the parties not in the store'
        complete $c -l no-promote -d 'Leave leads and prospects as they are after a purchase'
        complete $c -l map -x -d 'Read input columns as other fields, FROM=TO,...'
        complete $c -l encoding -x -a '(__crm_encodings)' \
            -d 'Read the input files in this encoding'
        complete $c -l from -x -a 'list shopify' -d 'Read an export of events by its name'
        # Files of events, with --import only.
        set -l cond '__fish_contains_opt import'
        set -q argv[2]; and set cond "$argv[2]; and $cond"
        complete -c $cmd -n $cond -F
    end

    # crm-segment: once a segment to print is named, crm-find's arguments.
    function __crm_segment_completion --argument-names cmd
        set -l cond '__crm_segment_is find'
        set -l not 'not __crm_segment_is find'
        if set -q argv[2]
            set cond "$argv[2]; and $cond"
            set not "$argv[2]; and $not"
        end
        __crm_find_completion $cmd $cond
        set -l c -c $cmd -n $not
        complete $c -f
        __crm_common $cmd $not
        complete -c $cmd -n "$not; and not __fish_contains_opt attrition" -l fields -x \
            -a '(__fish_complete_list , __crm_segment_columns)' -d 'Print only these columns'
        complete -c $cmd -n "$not; and __fish_contains_opt attrition" -l fields -x \
            -a '(__fish_complete_list , __crm_attrition_columns)' -d 'Print only these columns'
        complete $c -l save -x -a '(__crm_segment_names)' \
            -d 'Save a segment, the operands as its rules'
        complete $c -l description -x -d 'Describe the segment, with --save'
        complete $c -l list -d 'Print the saved segments'
        complete $c -l show -x -a '(__crm_segment_names)' -d 'Print a segment'
        complete $c -l delete -x -a '(__crm_segment_names)' -d 'Delete a segment'
        complete $c -l include -x -a '(__crm_segment_names)' -d 'Pin parties into a segment'
        complete $c -l exclude -x -a '(__crm_segment_names)' -d 'Pin parties out of a segment'
        complete $c -l contact -x -d 'The party to pin: id, e-mail or ext_id'
        complete $c -l freeze -x -a '(__crm_segment_names)' -d 'Take a snapshot of the members'
        complete $c -l thaw -x -a '(__crm_segment_names)' -d 'Drop the snapshot'
        __crm_scores $cmd $not
        complete $c -l attrition -d 'Print the attrition of the customers over a period'
        complete $c -l period -x -a '30d 90d 365d 1y' \
            -d 'With --attrition, the length of the period: N d/w/m/y'
        set -l pre
        set -q argv[2]; and set pre "$argv[2]; and "
        complete -c $cmd -n "$pre""__crm_segment_is none" -f -a '(__crm_segment_names)' \
            -d Segment
        # With scores and no segment, the first operand may be a term.
        complete -c $cmd -n "$pre""__crm_segment_is none; and __fish_contains_opt rfm churn propensity scores explain" \
            -f -a '(__crm_terms)'
        complete -c $cmd -n "$pre""__crm_segment_is save" -f -a '(__crm_terms)'
    end

    # crm-gdpr-export: access, erasure, the ledger and the audit trail.
    function __crm_gdpr_export_completion --argument-names cmd
        set -l c -c $cmd
        set -q argv[2]; and set c $c -n "$argv[2]"
        complete $c -f
        complete $c -s h -l help -d 'Print a usage message and exit'
        complete $c -l version -d 'Print the version and exit'
        complete $c -l db -r -F -d 'Use the store at this path'
        complete $c -l subject -x -d 'An identifier of the person: e-mail, phone, ext_id or id'
        complete $c -l subject-stdin -d 'Read identifiers or records from standard input'
        complete $c -s o -r -F -d 'Write the document into this new file'
        complete $c -l register -r -F -d 'Read the processing register from this file'
        complete $c -l weights -r -F -d 'Compute the scores with the weights and thresholds of this file'
        complete $c -l portable -x -a '(__fish_complete_directories)' \
            -d 'Write the data as files read back, into this directory'
        complete $c -l request-id -x -d 'Reference of the request'
        complete $c -l erase -d 'Erase the subject'
        complete $c -l reason -x -d 'Why: kept in the suppression ledger'
        complete $c -l keep-accounting -d 'Keep purchases and refunds, without identity'
        complete $c -l redact-mentions -d "Replace the identifiers in others' notes and events"
        complete $c -l dry-run -d 'Print the plan and write nothing'
        complete $c -l replay -d 'Erase again the parties in the suppression ledger'
        complete $c -l finish -d 'Finish the erasures left unfinished'
        complete $c -l unsuppress -x -d 'Take an identifier out of the suppression ledger'
        complete $c -l audit -d 'Print the audit trail'
        complete $c -l verify-audit -d 'Check the chain of the audit trail'
        complete $c -l format -x -a 'jsonl json csv tsv table' -d 'Output format of --audit'
        complete $c -l fields -x -a '(__fish_complete_list , __crm_audit_fields)' \
            -d 'Print only these columns of --audit'
    end

    # crm-report: reports as operands, the fields of by, the output options.
    function __crm_report_completion --argument-names cmd
        set -l c -c $cmd
        set -l pre
        if set -q argv[2]
            set c $c -n "$argv[2]"
            set pre "$argv[2]; and "
        end
        complete $c -f
        complete $c -s h -l help -d 'Print a usage message and exit'
        complete $c -l version -d 'Print the version and exit'
        complete $c -l db -r -F -d 'Use the store at this path'
        complete $c -l since -x \
            -d 'Begin with the period of this time: ISO 8601, a date, now, or N h/d/w/m/y ago'
        complete $c -l until -x -d 'End with the period of this time, and count nothing after it'
        complete $c -l as-of -x -a now \
            -d 'Make the reports as of this time: ISO 8601, a date, now, or N h/d/w/m/y ago'
        complete $c -l period -x -a 'month quarter year' -d 'The length of the periods'
        complete $c -l by -x -a '(__crm_report_fields)' \
            -d 'With revenue, split each period by this field'
        complete $c -l currency -x -a 'EUR USD GBP' -d 'The currency of the revenue'
        complete $c -l format -x -a 'table csv tsv jsonl json' -d 'Output format'
        complete $c -l fields -x -a '(__fish_complete_list , __crm_report_columns)' \
            -d 'Print only these columns'
        complete $c -l chart -d 'Draw the tables on the terminal'
        complete $c -l ascii -d 'With --chart, draw in ASCII'
        complete $c -l html -r -F -d 'Write the tables into this HTML page'
        complete $c -l title -x -d 'With --html, the title of the page'
        complete $c -l force -d 'With --html, replace an existing page'
        complete $c -l window -x -a '30d 90d 365d 1y' -d 'The window of F and M of a score column'
        complete $c -l weights -r -F -d 'Read weights and thresholds from this file'
        complete $c -l input-format -x -a 'csv tsv jsonl vcard lines auto' -d 'Format of input records'
        complete $c -l stdin -d 'Read records from standard input, whatever CRM_NO_STDIN says'
        complete $c -l no-stdin -d 'Do not read records from standard input'
        complete -c $cmd -n "$pre""__crm_report_after_by" -x \
            -a '(__fish_complete_list , __crm_report_fields)' -d Field
        complete -c $cmd -n "$pre""not __crm_report_after_by" -a '(__crm_reports)'
    end

    __crm_add_completion crm-add
    __crm_find_completion crm-find
    __crm_log_completion crm-log
    __crm_segment_completion crm-segment
    __crm_gdpr_export_completion crm-gdpr-export
    __crm_report_completion crm-report

    complete -c crm -f -n 'test (count (commandline -opc)) -eq 1' \
        -a add -d 'Create or update parties'
    complete -c crm -f -n 'test (count (commandline -opc)) -eq 1' \
        -a find -d 'Select parties'
    complete -c crm -f -n 'test (count (commandline -opc)) -eq 1' \
        -a log -d 'Record events, or list them'
    complete -c crm -f -n 'test (count (commandline -opc)) -eq 1' \
        -a segment -d 'Save segments, and print their members'
    complete -c crm -f -n 'test (count (commandline -opc)) -eq 1' \
        -a gdpr-export -d 'Answer a request under the GDPR: access, erasure, audit'
    complete -c crm -f -n 'test (count (commandline -opc)) -eq 1' \
        -a report -d 'Report on the store: tables, charts, an HTML page'
    complete -c crm -f -n 'test (count (commandline -opc)) -eq 1' \
        -a help -d 'Print a usage message'
    complete -c crm -f -n 'test (count (commandline -opc)) -eq 1' \
        -s h -l help -d 'Print a usage message and exit'
    complete -c crm -f -n 'test (count (commandline -opc)) -eq 1' \
        -l version -d 'Print the version and exit'
    __crm_add_completion crm '__crm_using add'
    __crm_find_completion crm '__crm_using find'
    __crm_log_completion crm '__crm_using log'
    __crm_segment_completion crm '__crm_using segment'
    __crm_gdpr_export_completion crm '__crm_using gdpr-export'
    __crm_report_completion crm '__crm_using report'
end
