# SPDX-License-Identifier: MIT
# t-exports.sh: the CSV exports of Google Contacts and Outlook as they come:
# their columns named, several e-mails and phones in one record, Google's
# "a ::: b" cells and labels, Outlook's courtesy title and empty dates.
# The people are invented; the column names are those of the exports.
. "$(dirname "$0")/lib.sh"
exec </dev/null
cd "$T" || exit 1
rec() { crm-add --dry-run "$1" 2>/dev/null | jq -c "$2"; }

# Google Contacts, the current export.
cat >google.csv <<'CSV'
First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,Name Prefix,Name Suffix,Nickname,File As,Organization Name,Organization Title,Organization Department,Birthday,Notes,Photo,Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,Phone 2 - Value,Address 1 - Label,Address 1 - Formatted,Address 1 - Street,Address 1 - City,Address 1 - PO Box,Address 1 - Region,Address 1 - Postal Code,Address 1 - Country,Address 1 - Extended Address
Zoë,,Müller,,,,,,,,Acme GmbH,CTO,,1990-03-01,Met in Köln,,* myContacts ::: Clients ::: VIP,* Work,zoe@acme.example ::: zoe.m@acme.example,* Home,zoe@home.example,Mobile,+49 171 1111111,Work,+49 221 2222222,Work,"Domstr. 1
50667 Köln",Domstr. 1,Köln,,,50667,Germany,
Li,,Wei,,,,,,,,,,,--04-12,,,* starred,,li.wei@example.cn,,,,,,,,,,,,,,,
CSV
is "Google: the party's fields" \
	"$(rec google.csv 'select(.last_name == "Müller") | [.name, .org, .title, .city, .postcode, .country, .birthdate, .notes]')" \
	'["Zoë Müller","Acme GmbH","CTO","Köln","50667","Germany","1990-03-01","Met in Köln"]'
is "Google: the first e-mail and phone, the others in attrs.emails and phones, ::: parted" \
	"$(rec google.csv 'select(.last_name == "Müller") | [.email, .phone, .attrs.emails, .attrs.phones]')" \
	'["zoe@acme.example","+49 171 1111111",["zoe.m@acme.example","zoe@home.example"],["+49 221 2222222"]]'
is "Google: labels as tags, without Google's own (* myContacts, * starred)" \
	"$(rec google.csv '.tags')" '["Clients","VIP"]
[]'
is "Google: the labels of e-mails, phones and addresses are not kept" \
	"$(rec google.csv 'select(.last_name == "Müller") | .attrs | keys | map(select(test("Label$"))) | length')" 0
is "Google: a birthday without a year" "$(rec google.csv 'select(.last_name == "Wei") | .birthdate')" '"--04-12"'

# Google Contacts, the older export.
cat >legacy.csv <<'CSV'
Name,Given Name,Additional Name,Family Name,Yomi Name,Given Name Yomi,Additional Name Yomi,Family Name Yomi,Name Prefix,Name Suffix,Initials,Nickname,Short Name,Maiden Name,Birthday,Gender,Location,Billing Information,Directory Server,Mileage,Occupation,Hobby,Sensitivity,Priority,Subject,Notes,Language,Photo,Group Membership,E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value,Phone 2 - Type,Phone 2 - Value,Organization 1 - Type,Organization 1 - Name,Organization 1 - Yomi Name,Organization 1 - Title
Bob Martin,Bob,,Martin,,,,,,,,,,,1975-11-02,male,,,,,,,,,,,,,* myContacts ::: Suppliers,* ,bob@martin.example,Mobile,06 12 34 56 78,Work,+33 1 40 00 00 00,,Martin SARL,,Owner
CSV
is "Google, older: fields, group membership as tags" \
	"$(rec legacy.csv '[.name, .first_name, .last_name, .gender, .org, .title, .email, .phone, .attrs.phones, .tags]')" \
	'["Bob Martin","Bob","Martin","male","Martin SARL","Owner","bob@martin.example","06 12 34 56 78",["+33 1 40 00 00 00"],["Suppliers"]]'

# Outlook, English: "Title" is the courtesy title beside "Job Title";
# 0/0/00 is no date; a slash date is not guessed.
printf '"First Name","Middle Name","Last Name","Title","Company","Job Title","Business City","Business Postal Code","Business Country/Region","Business Phone","Mobile Phone","E-mail Address","E-mail Type","E-mail Display Name","E-mail 2 Address","Categories","Notes","Birthday"\r\n"Ann","","Lee","Ms.","Initech","Buyer","Austin","73301","United States","+1 512 555 0100","+1 512 555 0199","ann.lee@initech.example","SMTP","Ann Lee (ann.lee@initech.example)","ann@lee.example","Customers;Texas","","0/0/00"\r\n"Tom","","Ray","","","","","","","","","tom@ray.example","SMTP","","","","","3/1/1990"\r\n' >outlook.csv
is "Outlook: fields" \
	"$(rec outlook.csv 'select(.last_name == "Lee") | [.name, .org, .title, .city, .postcode, .country, .email, .phone, .attrs.emails, .attrs.phones, .tags, .birthdate]')" \
	'["Ann Lee","Initech","Buyer","Austin","73301","United States","ann.lee@initech.example","+1 512 555 0100",["ann@lee.example"],["+1 512 555 0199"],["Customers","Texas"],null]'
is "Outlook: the courtesy title is an attribute" "$(rec outlook.csv 'select(.last_name == "Lee") | .attrs.Title')" '"Ms."'
is "Outlook: a slash date kept as text, not guessed" \
	"$(rec outlook.csv 'select(.last_name == "Ray") | [.birthdate, .attrs.birthdate_text]')" '[null,"3/1/1990"]'

# Outlook, French.
printf 'Prénom,Nom,Société,Adresse de messagerie,Adresse de messagerie 2,Téléphone mobile,Ville (bureau),Code postal (bureau),Pays/Région (bureau),Catégories\r\nÉlodie,Brûlé,Dupont SA,elodie@dupont.example,e.brule@perso.example,06 11 22 33 44,Lyon,69002,France,Clients\r\n' >outlook-fr.csv
is "Outlook in French" \
	"$(rec outlook-fr.csv '[.first_name, .last_name, .org, .email, .attrs.emails, .phone, .city, .postcode, .country, .tags]')" \
	'["Élodie","Brûlé","Dupont SA","elodie@dupont.example",["e.brule@perso.example"],"06 11 22 33 44","Lyon","69002","France",["Clients"]]'

# A column of the user's own that ends in a number and Type or Label is kept.
printf 'name,email,Plan 2 Type,Tier_1_Label\nAnn,a@example.org,gold,premium\n' >own.csv
is "only Google's labels go" "$(rec own.csv '.attrs | keys')" '["Plan 2 Type","Tier_1_Label"]'

# Lines that are no records: LinkedIn's notes before the header, a
# Salesforce report's totals and disclaimers after the records.
printf 'Notes:\n"When exporting your connection data, you may notice that some of the email addresses are missing."\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\nAnn,Lee,https://www.linkedin.com/in/annlee,ann@lee.example,Initech,Buyer,12 Mar 2024\nBob,Ray,https://www.linkedin.com/in/bobray,,Acme,CTO,01 Feb 2025\n' >Connections.csv
is "LinkedIn: the connections, past the notes" "$(rec Connections.csv '[.name, .email, .org, .title, .attrs.URL]')" \
	'["Ann Lee","ann@lee.example","Initech","Buyer","https://www.linkedin.com/in/annlee"]
["Bob Ray",null,"Acme","CTO","https://www.linkedin.com/in/bobray"]'
run crm-add --dry-run Connections.csv
like "the notes named on stderr, with their lines" "$(cat "$T/err")" "skipped, not records: line 1 'Notes:' \\(before the header\\); line 2 'When exporting"
printf '"First Name","Last Name","Email","Account Name"\n"Ann","Lee","ann@lee.example","Initech"\n"Bob","Ray","bob@ray.example","Acme"\n\n"Grand Totals (2 records)"\n\n"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n"Confidential Information - Do Not Distribute"\n"Generated By:  Admin User  11/25/2026 10:00 AM"\n"Acme Corp"\n' >report.csv
run crm-add --db "$T/sf.db" report.csv
is "Salesforce report: the two records, exit 0" "$rc/$(crm-find --db "$T/sf.db" --count)" '0/2'
like "the footer named, line by line" "$(cat "$T/err")" "line 5 'Grand Totals \\(2 records\\)' \\(after the records\\); line 7 'Copyright.*line 10 'Acme Corp'"
is "no footer party" "$(crm-find --db "$T/sf.db" --count 'Acme Corp')" 0
printf 'name,email\nAnn,a@example.org\nBad\nCy,c@example.org\n' >short.csv
exits 3 "a short row among the records is still an error" crm-add --db "$T/sf2.db" short.csv
like "with its line" "$(cat "$T/err")" 'short\.csv:3: expected 2 fields, found 1'

# Mailchimp: an unsubscription is kept, and no list makes a subscription of it.
printf '"Email Address","First Name","Last Name","MEMBER_RATING","OPTIN_TIME","UNSUB_TIME","UNSUB_CAMPAIGN_TITLE","UNSUB_CAMPAIGN_ID","UNSUB_REASON","UNSUB_REASON_OTHER","TAGS"\n"ann@mc.example","Ann","Lee","2","2024-01-02 10:00:00","2025-03-04 12:00:00","Spring news","c123","NORMAL","",""\n' >unsubscribed.csv
printf '"Email Address","First Name","Last Name","Phone Number","MEMBER_RATING","OPTIN_TIME","CONFIRM_TIME","LAST_CHANGED","TAGS"\n"ann@mc.example","Ann","Lee","","2","2024-01-02 10:00:00","2024-01-02 10:05:00","2024-05-01 08:00:00","""Customers"",""VIP"""\n"bo@mc.example","Bo","Ek","+46 70 123 45 67","4","2024-02-01 09:00:00","","",""\n' >subscribed.csv
ok "the unsubscribed list" crm-add -q --db "$T/mc.db" unsubscribed.csv
ok "then the subscribed list" crm-add -q --db "$T/mc.db" subscribed.csv
is "the unsubscription stays, with its time; Mailchimp's tags are tags" \
	"$(crm-find --db "$T/mc.db" email=ann@mc.example --fields tags,attrs.unsubscribed_at | jq -c .)" \
	'{"tags":["Customers","VIP","unsubscribed"],"attrs.unsubscribed_at":"2025-03-04 12:00:00"}'
is "a subscriber is not marked" "$(crm-find --db "$T/mc.db" email=bo@mc.example --fields tags | jq -c .tags)" '[]'

# Salesforce (Data Loader's capitals, the API's CamelCase) and HubSpot: their
# record ids are the ext_id, so that the next export updates the same parties.
printf '"ID","FIRSTNAME","LASTNAME","EMAIL","PHONE","TITLE","ACCOUNTID","MAILINGCITY","MAILINGPOSTALCODE","MAILINGCOUNTRY","BIRTHDATE"\n"0035g00000AbCdEAAV","Ann","Lee","ann@sf.example","+1 415 555 0100","VP Sales","0015g00000XyZAAA","San Francisco","94105","United States","1980-05-17"\n' >dataloader.csv
is "Salesforce Data Loader" "$(rec dataloader.csv '[.name, .ext_id, .email, .phone, .title, .city, .postcode, .country, .birthdate, .attrs.ACCOUNTID]')" \
	'["Ann Lee","0035g00000AbCdEAAV","ann@sf.example","+1 415 555 0100","VP Sales","San Francisco","94105","United States","1980-05-17","0015g00000XyZAAA"]'
printf 'Id,FirstName,LastName,Email,MobilePhone,Title,AccountId,MailingCity,MailingPostalCode,MailingCountry\n0035g00000AbCdEAAV,Ann,Lee,ann@sf.example,+1 415 555 0199,VP Sales,0015g00000XyZAAA,San Francisco,94105,United States\n' >api.csv
is "Salesforce, the API's names" "$(rec api.csv '[.ext_id, .phone, .city, .postcode, .country]')" \
	'["0035g00000AbCdEAAV","+1 415 555 0199","San Francisco","94105","United States"]'
printf '"Record ID","First Name","Last Name","Email","Phone Number","Company Name","Job Title","City","Country/Region","Postal Code","Lifecycle Stage","Contact owner"\n"51","Bo","Ek","bo@hs.example","+46 70 123 45 67","Nordic AB","CEO","Malmö","Sweden","211 20","customer","Sam Seller"\n' >hubspot.csv
is "HubSpot" "$(rec hubspot.csv '[.name, .ext_id, .email, .phone, .org, .title, .city, .country, .postcode, .attrs["Lifecycle Stage"]]')" \
	'["Bo Ek","51","bo@hs.example","+46 70 123 45 67","Nordic AB","CEO","Malmö","Sweden","211 20","customer"]'

# The APIs' JSON Lines: HubSpot's fields under "properties", Salesforce's
# REST records with their attributes, account and mailing address.
printf '%s\n' '{"id":"51","properties":{"email":"bo@hs.example","firstname":"Bo","lastname":"Ek","phone":"+46 70 123 45 67","company":"Nordic AB","city":"Malmö","hs_object_id":"51","lifecyclestage":"customer"},"createdAt":"2024-01-02T10:00:00Z","archived":false}' >hubspot.jsonl
is "HubSpot's API: the properties, its id as the ext_id" \
	"$(rec hubspot.jsonl '[.name, .ext_id, .email, .phone, .org, .city, .attrs]')" \
	'["Bo Ek","51","bo@hs.example","+46 70 123 45 67","Nordic AB","Malmö",{"lifecyclestage":"customer"}]'
awk 'BEGIN { for (i = 1; i <= 51; i++) printf "{\"name\":\"P%d\",\"email\":\"p%d@example.org\"}\n", i, i }' >fifty-one.jsonl
crm-add -q --db "$T/hs.db" fifty-one.jsonl
run crm-add --db "$T/hs.db" hubspot.jsonl
like "never a party id of this store: party 51 is left alone" "$(cat "$T/err")" '1 read, 1 created, 0 updated'
printf '%s\n' '{"attributes":{"type":"Contact","url":"/services/data/v58.0/sobjects/Contact/0035g00000AbCdEAAV"},"Id":"0035g00000AbCdEAAV","FirstName":"Ann","LastName":"Lee","Email":"ann@sf.example","Phone":"+1 415 555 0100","Title":"VP Sales","Account":{"attributes":{"type":"Account","url":"/x"},"Name":"Initech"},"MailingAddress":{"city":"San Francisco","postalCode":"94105","country":"United States","street":"1 Market St"}}' >salesforce.jsonl
is "Salesforce's REST records" \
	"$(rec salesforce.jsonl '[.name, .ext_id, .email, .title, .org, .city, .postcode, .country, .attrs]')" \
	'["Ann Lee","0035g00000AbCdEAAV","ann@sf.example","VP Sales","Initech","San Francisco","94105","United States",{}]'

# --from NAME: the export named, checked by its header; its slash dates in its order.
run crm-add --from list
like "--from list names the exports" "$(cut -d' ' -f1 "$T/out" | paste -sd' ' -)" '^google outlook outlook-fr outlook-com hubspot salesforce mailchimp linkedin$'
is "--from outlook: 3/1/1990 is 1 March" \
	"$(crm-add --dry-run --from outlook outlook.csv 2>/dev/null | jq -c 'select(.last_name == "Ray") | [.birthdate, .attrs.birthdate_text]')" '["1990-03-01",null]'
printf 'Prénom,Nom,Adresse de messagerie,Anniversaire\r\nÉlodie,Brûlé,e@dupont.example,3/1/1990\r\n' >fr-date.csv
is "--from outlook-fr: 3/1/1990 is 3 January" "$(crm-add --dry-run --from outlook-fr fr-date.csv 2>/dev/null | jq -r .birthdate)" 1990-01-03
exits 3 "a header that is not the export named: exit 3" crm-add --dry-run --from google outlook.csv
like "says which column is missing" "$(cat "$T/err")" "outlook\\.csv:1: not a google export: no column 'E-mail 1 - Value'"
exits 2 "an unknown export: exit 2" crm-add --from nope outlook.csv

# Outlook.com's export: Outlook's columns, and more of them.
printf 'First Name,Middle Name,Last Name,Title,Suffix,Nickname,Given Yomi,Surname Yomi,E-mail Address,E-mail 2 Address,E-mail 3 Address,Home Phone,Home Phone 2,Business Phone,Business Phone 2,Mobile Phone,Car Phone,Other Phone,Primary Phone,Pager,Business Fax,Home Fax,Other Fax,Company Main Phone,Callback,Radio Phone,Telex,TTY/TDD Phone,IMAddress,Job Title,Department,Company,Office Location,Manager'"'"'s Name,Assistant'"'"'s Name,Assistant'"'"'s Phone,Company Yomi,Business Street,Business City,Business State,Business Postal Code,Business Country/Region,Home Street,Home City,Home State,Home Postal Code,Home Country/Region,Other Street,Other City,Other State,Other Postal Code,Other Country/Region,Personal Web Page,Spouse,Schools,Hobby,Location,Web Page,Birthday,Anniversary,Notes\r\nRosa,,Diaz,Dr.,,,,,rosa@diaz.example,r.diaz@work.example,,,,+34 91 555 0100,,+34 600 000 001,,,,,,,,,,,,,,Surgeon,,Clínica Sol,,,,,,Calle Mayor 1,Madrid,,28013,Spain,,,,,,,,,,,,,,,,,12/24/1975,,\r\n' >outlook-com.csv
is "Outlook.com, with --from: fields, other e-mail and phone, the birthday month first" \
	"$(crm-add --dry-run --from outlook-com outlook-com.csv 2>/dev/null | jq -c '[.name, .title, .org, .email, .attrs.emails, .phone, .attrs.phones, .city, .postcode, .country, .birthdate, .attrs.Title]')" \
	'["Rosa Diaz","Surgeon","Clínica Sol","rosa@diaz.example",["r.diaz@work.example"],"+34 91 555 0100",["+34 600 000 001"],"Madrid","28013","Spain","1975-12-24","Dr."]'

# Stored, the other e-mails and phones are identifiers.
ok "into the store" crm-add -q google.csv
is "found by an e-mail of a ::: cell" "$(crm-find email=zoe.m@acme.example --fields last_name | jq -r .last_name)" Müller

# Times of creation as shops and mailers write them: their offset read, stored in UTC.
printf 'name,email,created\nCy Ode,cy@example.org,2024-02-16 16:53:00 +0100\nDi Ode,di@example.org,2024-02-16T16:53:00Z\nEd Ode,ed@example.org,2024-02-16 16:53:00 +2500\n' >created.csv
ok "created with offsets" crm-add -q --rejects created.rej created.csv
is "+0100 after a space is read, stored in UTC; Z as given" \
	"$(crm-find --fields email,created --format csv email=cy@example.org OR email=di@example.org | sed 1d | sort | paste -sd' ' -)" \
	'cy@example.org,2024-02-16T15:53:00Z di@example.org,2024-02-16T16:53:00Z'
is "an offset of 25 hours refused" "$(grep '^#' created.rej)" "# created.csv:4: invalid created '2024-02-16 16:53:00 +2500' (ISO 8601)"
printf '{"name":"Fi Ode","email":"fi@example.org","created":"2024-02-16T16:53:00-0330"}\n' >created.jsonl
ok "JSON Lines too" crm-add -q created.jsonl
is "-0330 read" "$(crm-find --fields created email=fi@example.org | jq -r .created)" 2024-02-16T20:23:00Z
finish
