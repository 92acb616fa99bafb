# Sourced by setup.sh. Finds the Debian mirror this machine's apt already uses, so the
# repository names no package host and CI machines use their own (nearby) mirror.
#
#   debian_mirror main      # e.g. http://mirror.example/debian
#   debian_mirror security  # e.g. http://mirror.example/debian-security
#
# Reads the deb822 files (<apt dir>/sources.list.d/*.sources, `URIs:`/`Suites:`) first,
# then the one-line format (<apt dir>/sources.list and sources.list.d/*.list). The apt
# dir is $APT_DIR or /etc/apt. Prints nothing and fails when no http(s) entry matches.
debian_mirror() {
  local kind=${1:-main} dir=${APT_DIR:-/etc/apt} f found
  found="$(
    for f in "$dir"/sources.list.d/*.sources; do
      [[ -r $f ]] || continue
      awk -v kind="$kind" '
        function wanted(suite) {
          if (kind == "security") return suite ~ /-security$/
          return suite !~ /-(security|updates|backports|proposed-updates)$/
        }
        BEGIN { RS = ""; FS = "\n" }
        {
          types = ""; uris = ""; suites = ""; enabled = "yes"
          for (i = 1; i <= NF; i++) {
            line = $i
            if (line ~ /^[ \t]*#/) continue
            if (match(line, /^[A-Za-z-]+:/)) {
              key = tolower(substr(line, 1, RLENGTH - 1)); value = substr(line, RLENGTH + 1)
              if (key == "types") types = value
              else if (key == "uris") uris = value
              else if (key == "suites") suites = value
              else if (key == "enabled") enabled = tolower(value)
            }
          }
          gsub(/[ \t]/, "", enabled)
          if (enabled == "no" || (" " types " ") !~ /[ \t]deb[ \t]/) next
          n = split(uris, u, /[ \t]+/); m = split(suites, s, /[ \t]+/)
          for (j = 1; j <= m; j++) if (s[j] != "" && wanted(s[j]))
            for (k = 1; k <= n; k++) if (u[k] ~ /^https?:\/\//) { print u[k]; exit }
        }' "$f"
    done
    for f in "$dir"/sources.list "$dir"/sources.list.d/*.list; do
      [[ -r $f ]] || continue
      awk -v kind="$kind" '
        function wanted(suite) {
          if (kind == "security") return suite ~ /-security(\/updates)?$/
          return suite !~ /-(security|updates|backports|proposed-updates)$/ && suite !~ /\/updates$/
        }
        $1 == "deb" {
          i = 2
          if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
          if ($i ~ /^https?:\/\// && wanted($(i + 1))) { print $i; exit }
        }' "$f"
    done
  )"
  found="$(printf '%s\n' "$found" | sed -n '1{s:/*$::;p}')"
  [[ -n $found ]] || return 1
  printf '%s\n' "$found"
}
