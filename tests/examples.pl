#!/usr/bin/perl
# SPDX-License-Identifier: MIT
# tests/examples.pl: the examples of the documentation, for t-examples.sh.
#
#   examples.pl extract FILE...   the commands of the man pages' literal displays
#       (those with a "$ " prompt) and of README.md's "A five-minute tour", in the
#       order of the pages, as records: "P page", "L line", "C command", "O a line
#       of documented stdout", "E a line of documented stderr", "S status" (from a
#       following "$ echo $?"), then "%%".
#   examples.pl doc [--numbers|--loose] EXPECTED STDOUT STDERR   does a run's
#       output show what the page shows?  Each documented line must be among
#       the lines printed, with ids, dates, times and hashes masked, white space
#       runs as one, "N" for any number, and "..." or "…" standing for
#       anything; documented JSON lines are also found in the table that a
#       terminal gets instead.  --numbers masks every number; --loose also
#       words, bars and runs of numbers after the first line.
#   examples.pl same OUT1 OUT2    the same output, times and hashes masked.
use strict; use warnings;
use utf8;
use JSON::PP;
use Encode ();
binmode STDOUT, ':utf8';
binmode STDERR, ':utf8';
my $cmd = shift @ARGV // '';
my %glyph = (":e" => "ë", ":u" => "ü", ":o" => "ö", ":a" => "ä", "'e" => "é", "'E" => "É",
	"^u" => "û", "^e" => "ê", "`e" => "è", "`a" => "à", ",c" => "ç", "aq" => "'", "cq" => "’",
	"dq" => '"', "em" => "—", "en" => "–", "Gt" => ">", "Lt" => "<");
sub unescape {                   # mdoc escapes of a literal display's line
	my $s = shift;
	$s =~ s/\\\[u([0-9A-Fa-f]{4,5})\]/chr(hex $1)/ge;
	$s =~ s/\\\((..)/$glyph{$1} \/\/ die "unknown glyph \\($1 in: $s\n"/ge;
	$s =~ s/\\\*\((..)/$glyph{$1} \/\/ die "unknown string \\*($1\n"/ge;
	$s =~ s/\\&//g; $s =~ s/\\-/-/g; $s =~ s/\\e/\\/g;
	return $s;
}
my @ex;
sub display {                    # one display's lines: commands after "$ ", their output after
	my ($page, $first, @lines) = @_;
	return unless grep { /^\$ / } @lines;
	my $cur;
	for (my $i = 0; $i < @lines; $i++) {
		my $l = $lines[$i];
		if ($l =~ s/^\$ //) {
			my $at = $first + $i;
			# continued lines: a trailing backslash, pipe or && joins the next one
			# (or an open single quote: a newline in quotes, a space here)
			while ($i + 1 < @lines &&
			    ($l =~ /(\\|\||&&)\s*$/ || ($l =~ tr/'//) % 2)) {
				my $nl = " ";
				$l =~ s/\\\s*$//;
				(my $n = $lines[++$i]) =~ s/^\s+//;
				$l =~ s/\s*$//; $l .= $nl . $n;
			}
			if ($l =~ /^echo \$\?$/) {    # the status of the command before
				$cur->{S} = $lines[++$i]; $cur->{S} =~ s/\s//g; next;
			}
			push @ex, $cur = {P => $page, L => $at, C => $l, O => [], E => []};
		} elsif ($cur) {
			# a program's message is on stderr; anything else is stdout
			push @{$cur->{($l =~ /^crm(-[a-z-]+)?: /) ? 'E' : 'O'}}, $l;
		}
	}
}
if ($cmd eq 'doc') { exit doc(@ARGV) }
if ($cmd eq 'same') { exit same(@ARGV) }
die "usage: examples.pl extract|doc|same ...\n" unless $cmd eq 'extract';
for my $f (@ARGV) {
	open my $fh, '<:utf8', $f or die "$f: $!\n";
	my @all = <$fh>; chomp @all;
	(my $page = $f) =~ s{.*/}{};
	if ($f =~ /\.md$/) {
		# README: the indented code blocks of "A five-minute tour"
		my ($in, @block, $first) = (0);
		push @all, '';
		for my $n (0 .. $#all) {
			$_ = $all[$n];
			if (/^## /) { $in = /^## A five-minute tour/; next }
			next unless $in;
			if (/^    (.*)/) { $first //= $n + 1; push @block, $1; next }
			next if /^\s*$/ && @block && $n < $#all && $all[$n + 1] =~ /^    /;
			if (@block) {
				# a block without prompts is all commands; its indented
				# lines continue the one before
				@block = map { /^\s/ ? $_ : "\$ $_" } @block unless grep { /^\$ / } @block;
				display($page, $first, @block);
			}
			@block = (); undef $first;
		}
	} else {
		my ($in, @d, $first);
		for my $n (0 .. $#all) {
			$_ = $all[$n];
			if (/^\.Bd -literal/) { $in = 1; @d = (); $first = $n + 2; next }
			if ($in && /^\.Ed/) { $in = 0; display($page, $first, map { unescape($_) } @d); next }
			push @d, $_ if $in;
		}
	}
}
for my $e (@ex) {
	print "P $e->{P}\nL $e->{L}\nC $e->{C}\n";
	print "O $_\n" for @{$e->{O}};
	print "E $_\n" for @{$e->{E}};
	print "S $e->{S}\n" if defined $e->{S};
	print "%%\n";
}

sub slurp {
	my $f = shift;
	open my $fh, '<:utf8', $f or return ();
	my @l = map { s/\e\[[0-9;?]*[A-Za-z]//g; s/[\r\n]+$//; s/\r//g; $_ } <$fh>;
	return grep { /\S/ } @l;
}
# numbers, ids, dates and times as '#', white space runs as one space
our ($loose, $numbers) = (0, 0);
sub norm {
	my $s = shift;
	$s =~ s/\s+/ /g; $s =~ s/^ | $//g;
	$s =~ s/\b[0-9a-f]{32,}\b/#/g;                   # hashes
	$s =~ s/\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z?)?/#/g;  # dates, times
	$s =~ s/("(?:\w+_)?id":)\d+/$1#/g;                 # ids
	$s =~ s/("parties":)\[\d+(?:,\d+)*\]/$1\[#\]/g;
	$s =~ s/\d+(?:[.,:T-]\d+)*Z?/#/g if $numbers;
	if ($loose) {   # words, bars and runs of numbers as one
		$s =~ s/[[:alpha:]][\w.()-]*(?: [[:alpha:]][\w.()-]*)*/w/g;
		$s =~ s/[#=:.\-*]+/#/g; $s =~ s/#(?: #)+/#/g;
	}
	return $s;
}
sub pattern {
	my $re = quotemeta norm(shift);
	$re =~ s/\bN\b/(?:\\d+|#)/g;       # "N" in a page: any number
	$re =~ s/\\…|(?:\\\.){3}/.*/g;
	return qr/^$re$/;
}
# a table as rows of {column => value}, by the columns' places in its header
sub table {
	my ($head, @rows) = @_;
	my @col;
	while ($head =~ /(\S+(?: \S+)*)/g) { push @col, [$1, $-[1]] }
	my @out;
	for my $r (@rows) {
		my %h;
		for my $i (0 .. $#col) {
			my $from = $col[$i][1];
			my $len = $i < $#col ? $col[$i + 1][1] - $from : length $r;
			my $v = $from < length $r ? substr($r, $from, $len) : '';
			$v =~ s/^\s+|\s+$//g;
			$h{$col[$i][0]} = $v;
		}
		push @out, \%h;
	}
	return ([map { $_->[0] } @col], @out);
}
sub value {
	my $v = shift;
	return '' unless defined $v;
	return JSON::PP->new->canonical->encode($v) if ref $v && !JSON::PP::is_bool($v);
	return $v ? 'true' : 'false' if JSON::PP::is_bool($v);
	return "$v";
}
sub doc {
	while (@_ && $_[0] =~ /^--(loose|numbers)$/) {
		shift; if ($1 eq 'loose') { $loose = $numbers = 1 } else { $numbers = 1 }
	}
	my ($exp, $out, $err) = @_;
	my (@o, @e);
	for (slurp($exp)) { push @o, $1 if /^O (.*)/; push @e, $1 if /^E (.*)/ }
	# a JSON object that the page wraps over lines is one line
	for (my $i = 0; $i < $#o; $i++) {
		next unless $o[$i] =~ /^\{"/ && ($o[$i] =~ tr/{//) > ($o[$i] =~ tr/}//);
		$o[$i] .= splice(@o, $i + 1, 1); redo;
	}
	my @out = slurp($out); my @err = slurp($err);
	my $bad = 0;
	my @json = grep { /^\{.*\}$/ } @o;
	# "{"a":1,…}": some of the fields, "…" for the others
	my $some = grep { /…/ } @json;
	my @rows = map { (my $j = $_) =~ s/,…(?=[,}])|…,//g;
		my $r = eval { decode_json(Encode::encode('UTF-8', $j)) }; $r } @json;
	if (@o && @json == @o && !grep { !defined } @rows and @out && $out[0] !~ /^\{/) {
		# JSON lines in the page, a table at the terminal
		my ($cols, @trs) = table(@out);
		my @want = sort keys %{$rows[0]};
		if ($some) {   # the fields the table shows
			my %c = map { $_ => 1 } @$cols;
			@want = grep { $c{$_} } @want;
			for my $r (@rows) { delete @$r{grep { !$c{$_} } keys %$r} }
			if (!@want) { print "# none of the page's fields is a column: @$cols\n"; $bad = 1 }
		} elsif ("@{[sort @$cols]}" ne "@want") {
			print "# columns: got @$cols, the page shows @want\n"; $bad = 1;
		}
		ROW: for my $r (@rows) {
			for my $t (@trs) {
				next if grep { !/(^|_)id$/ && norm(value($r->{$_})) ne norm($t->{$_} // '') } keys %$r;
				next ROW;
			}
			print "# row not printed: ", JSON::PP->new->canonical->encode($r), "\n"; $bad = 1;
		}
	} else {
		my @n = map { norm($_) } @out;
		for my $i (0 .. $#o) {
			my $d = $o[$i];
			# loose: the first line (a title or a header) as it is
			local $loose = 0 if $i == 0 && @o > 1;
			my $re = pattern($d);
			@n = map { norm($_) } @out if $i <= 1;
			next if grep { $_ =~ $re } @n;
			print "# stdout lacks: $d\n"; $bad = 1;
		}
	}
	my @ne = map { norm($_) } @err;
	for my $d (@e) {
		my $re = pattern($d);
		next if grep { $_ =~ $re } @ne;
		print "# stderr lacks: $d\n"; $bad = 1;
	}
	if ($bad) { print "# printed: $_\n" for @out[0 .. ($#out < 9 ? $#out : 9)] }
	return $bad;
}
sub mask {
	my $s = shift;
	$s =~ s/\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z?/TIME/g;
	$s =~ s/\b[0-9a-f]{32,}\b/HASH/g;
	$s =~ s/\d+\.\d+/#/g;
	$s =~ s/\s+/ /g; $s =~ s/^ | $//g;
	return $s;
}
sub same {
	my ($a, $b) = @_;
	my @a = map { mask($_) } slurp($a); my @b = map { mask($_) } slurp($b);
	return 0 if "@a" eq "@b" && @a == @b;
	print "# at the terminal: $_\n" for @a[0 .. ($#a < 4 ? $#a : 4)];
	print "# with an empty pipe: $_\n" for @b[0 .. ($#b < 4 ? $#b : 4)];
	return 1;
}
