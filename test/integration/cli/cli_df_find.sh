#!/bin/bash
# stria df against statfs (the summary is the sum of the OST rows and equals
# what stat -f of the mount says) and stria find by stripe count, OST, size,
# name and negation.
. "$(dirname "$0")/../../lib/fixture.sh"
fx_init
fx_need_fuse
fx_cluster 4
fx_mount m1
M=$FX_DIR/m1
fx_wait_osts "$M" 4
S="$STRIA_BUILD/tools/stria"

out=$(fx_run "$S" df "$M")
[[ $(head -n1 <<<"$out") =~ ^UUID\ +1K-blocks\ +Used\ +Available\ Use%\ Mounted\ on$ ]] ||
	fx_fail "df header: $out"
grep -Eq "^testfs-MDT0000_UUID +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+% $M\[MDT:0\]$" <<<"$out" ||
	fx_fail "df has no MDT row: $out"
for i in 0 1 2 3; do
	grep -Eq "^testfs-OST000${i}_UUID +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+% $M\[OST:$i\]$" <<<"$out" ||
		fx_fail "df has no OST$i row: $out"
done
grep -Eq "^filesystem_summary: +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+% $M$" <<<"$out" ||
	fx_fail "df has no summary: $out"
# The summary is the sum of the OST rows, column by column.
read -r st su sa < <(awk '/\[OST:/ {t += $2; u += $3; a += $4} END {print t, u, a}' <<<"$out")
read -r ft fu fa < <(awk '/^filesystem_summary:/ {print $2, $3, $4}' <<<"$out")
[[ "$st $su $sa" == "$ft $fu $fa" ]] || fx_fail "summary $ft $fu $fa != OST sum $st $su $sa"
# The same file system as statfs sees it: total exactly, free within 1%.
read -r bs tot avail < <(stat -f -c '%S %b %a' "$M")
[[ $((tot * bs / 1024)) == "$ft" ]] || fx_fail "df total $ft != stat -f $((tot * bs / 1024))"
d=$((avail * bs / 1024 - fa))
((${d#-} * 100 <= fa + 100)) || fx_fail "df available $fa vs stat -f $((avail * bs / 1024))"
# -i: inode rows, the summary from the MDT.
out=$(fx_run "$S" df -i "$M/")
mdt=$(awk '/\[MDT:0\]/ {print $2, $3, $4}' <<<"$out")
[[ $(awk '/^filesystem_summary:/ {print $2, $3, $4}' <<<"$out") == "$mdt" ]] ||
	fx_fail "df -i summary is not the MDT's: $out"
# -h: sizes with suffixes.
"$S" df -h "$M" | grep -Eq "^filesystem_summary: +[0-9.]+[KMGTPE] " || fx_fail "df -h"
# A subdirectory names its mount.
mkdir "$M/sub"
"$S" df "$M/sub" | grep -q "^filesystem_summary:.* $M$" || fx_fail "df of a subdirectory"
err=$("$S" df /proc 2>&1) && fx_fail "df /proc succeeded"
[[ $err == *"/proc:"* ]] || fx_fail "df /proc: $err"

# find by stripe count and by OST.
fx_run "$S" setstripe -c 1 -i 0 "$M/s1" >/dev/null
fx_run "$S" setstripe -c 4 "$M/s4" >/dev/null
fx_run "$S" setstripe -o 2,3 "$M/sub/s23" >/dev/null
dd if=/dev/zero of="$M/s4" bs=1M count=3 status=none
[[ $("$S" find "$M" --stripe-count 4) == "$M/s4" ]] || fx_fail "find --stripe-count 4"
[[ $("$S" find "$M" --type f ! --stripe-count 1 | sort) == "$(printf '%s\n' "$M/s4" "$M/sub/s23")" ]] ||
	fx_fail "find ! --stripe-count 1: $("$S" find "$M" --type f ! --stripe-count 1)"
[[ $("$S" find "$M" -c +1 -t f | wc -l) == 2 ]] || fx_fail "find -c +1"
[[ $("$S" find "$M" --ost 2 | sort) == "$(printf '%s\n' "$M/s4" "$M/sub/s23")" ]] ||
	fx_fail "find --ost 2: $("$S" find "$M" --ost 2)"
[[ $("$S" find "$M" --ost testfs-OST0000 | sort) == "$(printf '%s\n' "$M/s1" "$M/s4")" ]] ||
	fx_fail "find --ost testfs-OST0000: $("$S" find "$M" --ost testfs-OST0000)"
[[ $("$S" find "$M" --stripe-index 0 ! --stripe-count 4) == "$M/s1" ]] ||
	fx_fail "find --stripe-index 0 ! --stripe-count 4"
[[ $("$S" find "$M" --size +2M) == "$M/s4" ]] || fx_fail "find --size +2M"
[[ $("$S" find "$M" --name 's2*') == "$M/sub/s23" ]] || fx_fail "find --name"
[[ $("$S" find "$M" --maxdepth 1 --type f --mtime -1 | wc -l) == 2 ]] || fx_fail "find --maxdepth --mtime"
[[ $("$S" find "$M" --type d --print0 | tr '\0' '\n') == "$(printf '%s\n' "$M" "$M/sub")" ]] ||
	fx_fail "find --type d --print0"

fx_umount m1
fx_pass
