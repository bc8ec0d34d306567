# SPDX-License-Identifier: MIT
# Bash completion for the crm toolkit: crm, crm-add, crm-find, crm-log,
# crm-segment, crm-gdpr-export and crm-report.  Installed as
# .../bash-completion/completions/crm, with the other programs' names as
# links to it; it may also be sourced from ~/.bashrc.

_crm_fields='id type kind name first_name last_name email phone org org_id
	title city postcode country birthdate gender notes ext_id created
	updated tags attrs last_activity last_inbound first_purchase last_purchase
	purchases revenue revenue_currency open_tasks rfm_r rfm_f rfm_m rfm
	rfm_segment days_since_purchase usual_gap churn_risk churned propensity
	explain'
_crm_rfm_segments='champions potential-loyalists new promising loyal
	need-attention about-to-sleep cannot-lose-them at-risk hibernating lost'
_crm_lengths='30d 90d 365d 1y'
_crm_currencies='EUR USD GBP'
_crm_kinds='customer prospect lead partner supplier employee other'
_crm_formats='jsonl json csv tsv table vcard'
# The usual values of --encoding; any other that iconv knows is offered
# when none of these fits what is typed.
_crm_encodings='cp1252 latin1 iso-8859-15 utf-16le utf-16be utf-8'
_crm_event_fields='id party_id at channel type direction subject body amount
	currency campaign ref due assignee status attrs'
_crm_audit_fields='id at actor program action request_id subject counts prev
	hash'
_crm_segment_columns='name description rules created updated frozen_at
	pinned_in pinned_out'
_crm_attrition_columns='since as_of active churned attrition retention'
_crm_channels='email phone sms web visit meeting mail social other'
_crm_event_types='call note meeting visit sent delivered opened clicked
	bounced unsubscribed replied purchase refund ticket'
# The reports of crm-report, and the fields its report "by" and --by
# group by: party fields, tags, facts, scores, age_band and attrs.KEY.
_crm_reports='summary by campaign churn funnel revenue cohort tasks activity'
_crm_report_fields='type kind name first_name last_name email phone org
	org_id title city postcode country birthdate gender notes ext_id created
	updated tags last_activity last_inbound first_purchase last_purchase
	purchases revenue_currency open_tasks rfm_r rfm_f rfm_m rfm rfm_segment
	days_since_purchase usual_gap churn_risk churned propensity age_band
	attrs.'

_crm_add_options='--name --first-name --last-name --email --phone --org
	--title --city --postcode --country --birthdate --gender --notes --kind
	--type --ext-id --tag --untag --set --key --on-conflict --rejects --force
	--dry-run -q --quiet --map --encoding --from --input-format --stdin --no-stdin --db
	--format --fields --csv-raw -h --help --version'
_crm_find_options='--sort --limit --count --ids --format --fields --csv-raw
	--input-format --stdin --no-stdin --db --rfm --churn --propensity --scores
	--explain --as-of --window --currency --weights -h --help --version'
_crm_log_options='--contact --type --channel --at --direction --subject
	--body --amount --currency --campaign --ref --set --dry-run -q --quiet
	--list --since --until --reverse --limit --task --due --assignee --spread
	--tasks --overdue --due-before --done --reopen --import --rejects --force
	--create-missing --map --encoding --from --no-promote --input-format --stdin
	--no-stdin --db
	--format --fields --csv-raw -h --help --version'
_crm_segment_options='--save --description --list --show --delete --include
	--exclude --contact --freeze --thaw --input-format --stdin --no-stdin --db --format
	--fields --csv-raw --rfm --churn --propensity --scores --explain --as-of
	--window --currency --weights --attrition --period -h --help --version'
_crm_gdpr_export_options='--subject --subject-stdin -o --register --weights
	--portable --request-id --erase --reason --keep-accounting --redact-mentions
	--dry-run --replay --finish --unsuppress --audit --verify-audit --db --format
	--fields -h --help --version'
_crm_report_options='--since --until --as-of --period --by --currency
	--format --fields --chart --ascii --html --title --force --window --weights
	--input-format --stdin --no-stdin --db -h --help --version'

# Options that take a value, by command.
_crm_add_valued=' --name --first-name --last-name --email --phone --org
	--title --city --postcode --country --birthdate --gender --notes --kind
	--type --ext-id --tag --untag --set --key --on-conflict --rejects --map
	--encoding --from --input-format --db --format --fields '
_crm_find_valued=' --sort --limit --format --fields --input-format --db --as-of
	--window --currency --weights '
_crm_log_valued=' --contact --type --channel --at --direction --subject --body
	--amount --currency --campaign --ref --set --since --until --limit --task
	--due --assignee --spread --due-before --done --reopen --rejects --map
	--encoding --from --input-format --db --format --fields '
_crm_segment_valued=' --save --description --show --delete --include --exclude
	--contact --freeze --thaw --input-format --db --format --fields --as-of
	--window --currency --weights --period '
_crm_gdpr_export_valued=' --subject -o --register --weights --portable --request-id
	--reason --unsuppress --db --format --fields '
_crm_report_valued=' --since --until --as-of --period --by --currency --format
	--fields --html --title --window --weights --input-format --db '

# Set COMPREPLY to the words of $1 that begin with $cur.
_crm_reply() {
	local IFS=$' \t\n'
	COMPREPLY=($(compgen -W "$1" -- "$cur"))
}

# Set COMPREPLY to file names that begin with $cur.
_crm_reply_files() {
	local IFS=$'\n'
	compopt -o filenames 2>/dev/null
	COMPREPLY=($(compgen -f -- "$cur"))
}

# The names of the saved segments, one a line, from the store of the --db
# on the command line, else the default one; nothing when there is none.
_crm_segment_names() {
	local i db=()
	for ((i = 1; i < ${#words[@]} - 1; i++)); do
		case ${words[i]} in
		--db) db=(--db "${words[i + 1]}") ;;
		--db=*) db=("${words[i]}") ;;
		esac
	done
	crm-segment "${db[@]}" --list --format tsv --fields name </dev/null 2>/dev/null |
		tail -n +2
}

# The columns of the tables of the reports named on the crm-report
# command line (words, up to the cursor), or of every report when none is
# named yet; one a line.
_crm_report_columns() {
	local i w n=$((${#words[@]} - 1)) cols=
	local valued=" ${_crm_report_valued//[$'\n\t']/ } "
	for ((i = 1; i < n; i++)); do
		w=${words[i]}
		case $w in
		--by) cols="$cols ${words[i + 1]}" ;;
		--by=*) cols="$cols ${w#--by=}" ;;
		esac
		if [[ $w == -* && $w != *=* && $valued == *" $w "* ]]; then
			((i++))
			continue
		fi
		case $w in
		summary) cols="$cols section item value" ;;
		by)
			((i + 1 < n)) && cols="$cols ${words[i + 1]//,/ }"
			cols="$cols parties share"
			((i++))
			;;
		campaign)
			cols="$cols campaign sent sent_total delivered delivered_total opened
				opened_total clicked clicked_total bounced bounced_total
				unsubscribed unsubscribed_total replied replied_total
				delivery_rate open_rate click_to_open bounce_rate"
			;;
		churn)
			cols="$cols period active_start lost won_back new active_end
				attrition retention"
			;;
		funnel) cols="$cols stage parties conversion of_leads customers min q1 median q3 max" ;;
		revenue) cols="$cols period revenue orders average_basket refunds" ;;
		cohort) cols="$cols cohort customers m0 m1 m2 m3 m4 m5 m6 m7 m8 m9 m10 m11" ;;
		tasks) cols="$cols assignee open overdue oldest_due" ;;
		activity) cols="$cols period channel events" ;;
		esac
	done
	if [[ -z $cols ]]; then
		local -a all=(crm-report ${_crm_reports/ by / } "")
		cols="$(words=("${all[@]}"); _crm_report_columns) parties share"
	fi
	printf '%s\n' $cols | sort -u
}

# Complete a comma-separated list of fields, as --fields takes: event
# fields for crm-log (cmd=log), the audit trail's columns for
# crm-gdpr-export (cmd=gdpr-export), a segment's columns for crm-segment
# --list and --show (cmd=segment-list), the columns of crm-segment
# --attrition (cmd=segment-attrition), the columns of the reports of
# crm-report (cmd=report), the fields of its report by (cmd=report-by),
# party fields otherwise.
_crm_reply_field_list() {
	local IFS=$' \t\n' head= last=$cur fields="$_crm_fields attrs."
	[[ ${cmd-} == log ]] && fields="$_crm_event_fields attrs."
	[[ ${cmd-} == gdpr-export ]] && fields=$_crm_audit_fields
	[[ ${cmd-} == segment-list ]] && fields=$_crm_segment_columns
	[[ ${cmd-} == segment-attrition ]] && fields=$_crm_attrition_columns
	[[ ${cmd-} == report ]] && fields=$(_crm_report_columns)
	[[ ${cmd-} == report-by ]] && fields=$_crm_report_fields
	if [[ $cur == *,* ]]; then
		head=${cur%,*},
		last=${cur##*,}
	fi
	COMPREPLY=($(compgen -P "$head" -W "$fields" -- "$last"))
	compopt -o nospace 2>/dev/null
}

# Complete the value of option $1 of the command $cmd (add, find, log or
# gdpr-export).
_crm_value() {
	case $1 in
	--format) _crm_reply "$_crm_formats" ;;
	--input-format) _crm_reply 'csv tsv jsonl vcard lines auto' ;;
	--from)
		# crm-log names exports of events, crm-add exports of parties.
		if [[ $cmd == log ]]; then
			_crm_reply 'list shopify'
		else
			_crm_reply 'list google outlook outlook-fr outlook-com hubspot salesforce mailchimp linkedin'
		fi
		;;
	--encoding)
		_crm_reply "$_crm_encodings"
		if ((${#COMPREPLY[@]} == 0)) && [[ -n $cur ]]; then
			# iconv ignores case: its names, in the case of what is typed.
			local names
			names=$(iconv -l 2>/dev/null | tr ', ' '\n\n' | sed 's,//*$,,')
			[[ $cur == *[[:upper:]]* ]] || names=${names,,}
			_crm_reply "$names"
		fi
		;;
	--key) _crm_reply 'id email ext_id phone' ;;
	--on-conflict) _crm_reply 'merge replace skip error' ;;
	--type)
		if [[ ${cmd-} == log ]]; then
			_crm_reply "$_crm_event_types"
		else
			_crm_reply 'person organization'
		fi
		;;
	--channel) _crm_reply "$_crm_channels" ;;
	--direction) _crm_reply 'in out' ;;
	--kind) _crm_reply "$_crm_kinds" ;;
	--fields) _crm_reply_field_list ;;
	--sort)
		local f s=
		for f in $_crm_fields; do
			case $f in tags | attrs | explain) ;; *) s="$s $f -$f" ;; esac
		done
		_crm_reply "$s attrs. -attrs."
		[[ ${COMPREPLY[*]} == *attrs. ]] && compopt -o nospace 2>/dev/null
		;;
	--db | --rejects | -o | --register | --weights | --html) _crm_reply_files ;;
	--period)
		if [[ ${cmd-} == report ]]; then
			_crm_reply 'month quarter year'
		else
			_crm_reply "$_crm_lengths"
		fi
		;;
	--by)
		_crm_reply "$_crm_report_fields"
		[[ ${COMPREPLY[*]} == *attrs. ]] && compopt -o nospace 2>/dev/null
		;;
	--window) _crm_reply "$_crm_lengths" ;;
	--as-of) _crm_reply 'now' ;;
	--currency) _crm_reply "$_crm_currencies" ;;
	--save | --show | --delete | --include | --exclude | --freeze | --thaw)
		_crm_reply "$(_crm_segment_names)"
		;;
	--portable)
		local IFS=$'\n'
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur"))
		;;
	*) COMPREPLY=() ;;
	esac
	return 0
}

# Complete a term of crm-find.
_crm_term() {
	local f fields=
	for f in $_crm_fields; do fields="$fields $f"; done
	case $cur in
	org.*)
		# org.TERM: any term, about the party's organization.
		local whole=$cur i
		local -a inner
		cur=${cur#org.}
		_crm_term
		cur=$whole
		for i in "${!COMPREPLY[@]}"; do
			[[ ${COMPREPLY[i]} == OR ]] || inner+=("org.${COMPREPLY[i]}")
		done
		COMPREPLY=("${inner[@]}")
		;;
	rfm_segment=* | rfm_segment!=*)
		COMPREPLY=($(compgen -P "${cur%%=*}=" -W "$_crm_rfm_segments" -- "${cur#*=}"))
		;;
	churn_risk=* | churn_risk!=*)
		COMPREPLY=($(compgen -P "${cur%%=*}=" -W 'low medium high' -- "${cur#*=}"))
		;;
	churned=* | churned!=*)
		COMPREPLY=($(compgen -P "${cur%%=*}=" -W 'true false' -- "${cur#*=}"))
		;;
	kind:* | -kind:*)
		COMPREPLY=($(compgen -P "${cur%%:*}:" -W "$_crm_kinds" -- "${cur#*:}"))
		;;
	type:* | -type:*)
		COMPREPLY=($(compgen -P "${cur%%:*}:" -W 'person organization' -- "${cur#*:}"))
		;;
	has:* | -has:*)
		COMPREPLY=($(compgen -P "${cur%%:*}:" -W "$fields attrs." -- "${cur#*:}"))
		[[ ${COMPREPLY[*]} == *attrs. ]] && compopt -o nospace 2>/dev/null
		;;
	segment:* | -segment:*)
		COMPREPLY=($(compgen -P "${cur%%:*}:" -W "$(_crm_segment_names)" -- "${cur#*:}"))
		;;
	*:* | *=* | *~* | *\<* | *\>*)
		COMPREPLY=()
		;;
	*)
		_crm_reply 'tag: -tag: kind: -kind: type: -type: has: -has: segment:
			-segment: age: event: -event: org. OR'
		[[ ${COMPREPLY[*]} == *[:.] ]] && compopt -o nospace 2>/dev/null
		;;
	esac
}

# Complete the arguments of crm-add (cmd=add), crm-find (cmd=find),
# crm-log (cmd=log) or crm-gdpr-export (cmd=gdpr-export); words holds the command line up to the cursor, from
# the command name.
_crm_command() {
	local cmd=$1 options valued prev=
	case $cmd in
	add) options=$_crm_add_options valued=$_crm_add_valued ;;
	log) options=$_crm_log_options valued=$_crm_log_valued ;;
	gdpr-export)
		options=$_crm_gdpr_export_options valued=$_crm_gdpr_export_valued
		;;
	*) options=$_crm_find_options valued=$_crm_find_valued ;;
	esac
	valued=" ${valued//[$'\n\t']/ } "
	# crm-log takes files with --import only.
	local i n=$((${#words[@]} - 1)) import=
	for ((i = 1; i < n; i++)); do
		[[ ${words[i]} == -- ]] && break
		[[ ${words[i]} == --import ]] && import=1
	done
	(( n > 1 )) && prev=${words[n - 1]}
	if (( i < n )); then
		# After --: operands only; crm-log takes none but with --import,
		# crm-gdpr-export none.
		case $cmd:$import in
		add:* | log:1) _crm_reply_files ;;
		log:* | gdpr-export:*) COMPREPLY=() ;;
		*) _crm_term ;;
		esac
		return
	fi
	if [[ $cur == --*=* ]]; then
		local opt=${cur%%=*}
		cur=${cur#*=}
		_crm_value "$opt"
		local r
		for r in "${!COMPREPLY[@]}"; do
			COMPREPLY[r]=$opt=${COMPREPLY[r]}
		done
		return
	fi
	if [[ -n $prev && $valued == *" $prev "* ]]; then
		_crm_value "$prev"
		return
	fi
	case $cmd:$cur in
	find:-tag:* | find:-has:* | find:-kind:* | find:-type:* | find:-segment:*)
		_crm_term
		;;
	find:-*)
		_crm_reply "$options -tag: -has: -kind: -type: -segment: --"
		[[ ${COMPREPLY[*]} == *: ]] && compopt -o nospace 2>/dev/null
		;;
	add:-*)
		_crm_reply "$options -"
		;;
	add:*)
		_crm_reply_files
		;;
	find:*)
		_crm_term
		;;
	log:-*)
		_crm_reply "$options${import:+ -}"
		;;
	log:*)
		if [[ -n $import ]]; then
			_crm_reply_files
		else
			COMPREPLY=()
		fi
		;;
	gdpr-export:-*)
		_crm_reply "$options"
		;;
	gdpr-export:*)
		COMPREPLY=()
		;;
	esac
}

# Complete the arguments of crm-segment.  Once a segment to print is named,
# they are crm-find's; after --save NAME, terms.
_crm_segment_command() {
	local cmd=segment valued=" ${_crm_segment_valued//[$'\n\t']/ } "
	local i n=$((${#words[@]} - 1)) w action= mode= prev= score=
	for ((i = 1; i < n; i++)); do
		w=${words[i]}
		case $w in
		--)
			[[ $action == save ]] && mode=terms
			break
			;;
		--rfm | --churn | --propensity | --scores | --explain) score=1 ;;
		--attrition) action=attrition ;;
		--save | --save=*) action=save ;;
		--list | --show | --show=* | --delete | --delete=* | --include | --include=* | \
		--exclude | --exclude=* | --freeze | --freeze=* | --thaw | --thaw=*)
			action=${w%%=*}
			action=${action#--}
			;;
		esac
		case $w in
		--) ;;
		-*) [[ $w != *=* && $valued == *" $w "* ]] && ((i++)) ;;
		*)
			if [[ -z $action ]]; then
				mode=find
			elif [[ $action == save ]]; then
				mode=terms
			fi
			break
			;;
		esac
	done
	if [[ $mode == find ]]; then
		_crm_command find
		return
	fi
	if [[ $mode == terms ]]; then
		_crm_term
		return
	fi
	[[ $action == list || $action == show ]] && cmd=segment-list
	[[ $action == attrition ]] && cmd=segment-attrition
	(( n > 1 )) && prev=${words[n - 1]}
	if [[ $cur == --*=* ]]; then
		local opt=${cur%%=*} r
		cur=${cur#*=}
		_crm_value "$opt"
		for r in "${!COMPREPLY[@]}"; do
			COMPREPLY[r]=$opt=${COMPREPLY[r]}
		done
		return
	fi
	if [[ -n $prev && $valued == *" $prev "* ]]; then
		_crm_value "$prev"
		return
	fi
	case $action:$cur in
	save:-*) _crm_reply "$_crm_segment_options --" ;;
	*:-*) _crm_reply "$_crm_segment_options" ;;
	save:*) _crm_term ;;
	:*)
		if [[ -n $score ]]; then
			# Scores: a segment's name, or the first term of the whole base.
			local -a terms
			_crm_term
			terms=("${COMPREPLY[@]}")
			_crm_reply "$(_crm_segment_names)"
			COMPREPLY+=("${terms[@]}")
		else
			_crm_reply "$(_crm_segment_names)"
		fi
		;;
	*) COMPREPLY=() ;;
	esac
}

# Complete the arguments of crm-report: options, then reports; after the
# report by, its fields.
_crm_report_command() {
	local cmd=report valued=" ${_crm_report_valued//[$'\n\t']/ } "
	local n=$((${#words[@]} - 1)) prev= prev2=
	(( n > 1 )) && prev=${words[n - 1]}
	(( n > 2 )) && prev2=${words[n - 2]}
	if [[ $cur == --*=* ]]; then
		local opt=${cur%%=*} r
		cur=${cur#*=}
		_crm_value "$opt"
		for r in "${!COMPREPLY[@]}"; do
			COMPREPLY[r]=$opt=${COMPREPLY[r]}
		done
		return
	fi
	if [[ -n $prev && $valued == *" $prev "* ]]; then
		_crm_value "$prev"
		return
	fi
	case $cur in
	-*) _crm_reply "$_crm_report_options" ;;
	*)
		if [[ $prev == by && ( -z $prev2 || $valued != *" $prev2 "* ) ]]; then
			cmd=report-by
			_crm_reply_field_list
		else
			_crm_reply "$_crm_reports"
		fi
		;;
	esac
}

# The words of the line up to the cursor, split at white space only, so
# that terms such as kind:lead and options such as --format=csv stay whole;
# then the replies are cut to the part after the last character that
# readline breaks words at.
_crm_complete() {
	local line=${COMP_LINE:0:COMP_POINT} cur
	local -a words
	read -r -a words <<<"$line"
	[[ $line == *[[:space:]] || ${#words[@]} -eq 0 ]] && words+=("")
	cur=${words[${#words[@]} - 1]}
	local full=$cur
	"$@"
	local i cut=
	for ((i = ${#full} - 1; i >= 0; i--)); do
		if [[ $COMP_WORDBREAKS == *"${full:i:1}"* ]]; then
			cut=${full:0:i+1}
			break
		fi
	done
	if [[ -n $cut ]]; then
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=${COMPREPLY[i]#"$cut"}
		done
	fi
}

_crm_add() {
	_crm_complete _crm_command add
}

_crm_find() {
	_crm_complete _crm_command find
}

_crm_log() {
	_crm_complete _crm_command log
}

_crm_segment() {
	_crm_complete _crm_segment_command
}

_crm_gdpr_export() {
	_crm_complete _crm_command gdpr-export
}

_crm_report() {
	_crm_complete _crm_report_command
}

# crm COMMAND: the commands are the programs crm-NAME beside crm or in PATH.
_crm_main() {
	if (( ${#words[@]} <= 2 )); then
		local c cmds='add find log segment gdpr-export report help'
		for c in $(compgen -c crm-); do cmds="$cmds ${c#crm-}"; done
		if [[ $cur == -* ]]; then
			_crm_reply '-h --help --version'
		else
			_crm_reply "$cmds"
		fi
		return
	fi
	local sub=${words[1]}
	case $sub in
	add | find | log | gdpr-export)
		words=("crm-$sub" "${words[@]:2}")
		_crm_command "$sub"
		;;
	segment)
		words=("crm-$sub" "${words[@]:2}")
		_crm_segment_command
		;;
	report)
		words=("crm-$sub" "${words[@]:2}")
		_crm_report_command
		;;
	*)
		_crm_reply_files
		;;
	esac
}

_crm() {
	_crm_complete _crm_main
}

complete -F _crm crm
complete -F _crm_add crm-add
complete -F _crm_find crm-find
complete -F _crm_log crm-log
complete -F _crm_segment crm-segment
complete -F _crm_gdpr_export crm-gdpr-export
complete -F _crm_report crm-report
