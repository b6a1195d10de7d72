#!/usr/bin/env bash
# Lists pairs of top-level packages under io.quokka (main sources) that refer to each other, by import or by
# fully-qualified name; prints nothing and exits 0 when there is none.
cd "$(dirname "${BASH_SOURCE[0]}")/../src/main/java/io/quokka" || exit 2
edges=$(for dir in */; do
  from=${dir%/}
  grep -rhoE '\bio\.quokka\.[a-z]+\.' --include='*.java' "$from" |
    sed -E 's/io\.quokka\.([a-z]+)\./\1/' | grep -vx "$from" | sort -u | sed "s/^/$from /"
done)
status=0
while read -r a b; do
  [ -n "$a" ] && [[ "$a" < "$b" ]] && grep -qx "$b $a" <<<"$edges" && { echo "$a <-> $b"; status=1; }
done <<<"$edges"
exit $status
