#!/usr/bin/env bash
# Smoke test for a running scripts/opensearch-dev node: the cjk analyzer
# (analysis-common) works and a cjk-analysed field finds a Chinese word.
# Creates and deletes a scratch index; the node's other data is untouched.
#
#   scripts/opensearch/smoke-test.sh [URL]     (default: scripts/opensearch-dev url)
#
# Ends with a "N passed, N failed" line; exits non-zero on any failure.
set -euo pipefail

url="${1:-$("$(dirname "${BASH_SOURCE[0]}")/../opensearch-dev" url)}"
index="smoke-cjk-$$"
passed=0 failed=0

check() { # name, haystack, needle
  if [[ "$2" == *"$3"* ]]; then
    passed=$((passed + 1)); echo "ok   $1"
  else
    failed=$((failed + 1)); echo "FAIL $1: expected $3 in: $2"
  fi
}
req() { # method, path, [json body]
  curl -sS --max-time 30 -H 'Content-Type: application/json' -X "$1" "$url$2" ${3:+-d "$3"}
}
trap 'req DELETE "/$index" >/dev/null 2>&1 || true' EXIT

root="$(req GET /)"
check "GET / is OpenSearch 2.19" "$root" '"number" : "2.19.'

tokens="$(req POST /_analyze '{"analyzer":"cjk","text":"数据主权"}')"
echo "cjk: $tokens"
for t in 数据 据主 主权; do check "cjk bigram $t" "$tokens" "\"token\":\"$t\""; done

check "create index" "$(req PUT "/$index" \
  '{"mappings":{"properties":{"title":{"type":"text","analyzer":"cjk"}}}}')" '"acknowledged":true'
check "index doc 1" "$(req PUT "/$index/_doc/1" '{"title":"欧盟强调数据主权的重要性"}')" '"result":"created"'
check "index doc 2" "$(req PUT "/$index/_doc/2?refresh=true" '{"title":"今日天气晴朗，适合出行"}')" '"result":"created"'

hits="$(req POST "/$index/_search?filter_path=hits.total,hits.hits._id" '{"query":{"match":{"title":"主权"}}}')"
echo "search 主权: $hits"
check "exactly one hit for 主权" "$hits" '"total":{"value":1,"relation":"eq"}'
check "the hit is doc 1" "$hits" '"_id":"1"'

echo "$passed passed, $failed failed"
((failed == 0))
