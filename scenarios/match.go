package scenarios

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
)

// The matcher: a notification pattern is a subset of the decoded commsNotification item it must
// match. Mappings match as subsets, lists as unordered "contains" (each pattern element needs its
// own actual element), scalars by equality with numbers compared numerically, and mappings whose
// keys start with $ are operators.

// mismatch is one path where a notification differs from a pattern. Its texts are rendered only
// when asked for: most mismatches are counted, not shown.
type mismatch struct {
	Path     string
	prefix   string
	pat      *node  // the expected pattern value, when expected is not given as text
	expected string // used when pat is nil
	act      any
	present  bool
	hasAct   bool   // act/present hold the actual value; else got is the text
	got      string // used when hasAct is false
}

// diff builds the common mismatch: pattern value against actual value.
func diff(path, prefix string, p *node, a any, present bool) mismatch {
	return mismatch{Path: path, prefix: prefix, pat: p, act: a, present: present, hasAct: true}
}

// Expected renders what the pattern wanted.
func (m mismatch) Expected() string {
	if m.pat != nil {
		return m.prefix + render(m.pat)
	}
	return m.prefix + m.expected
}

// Got renders what the notification had.
func (m mismatch) Got() string {
	if m.hasAct {
		return renderActual(m.act, m.present)
	}
	return m.got
}

func (m mismatch) String() string {
	return fmt.Sprintf("%s: expected %s, got %s", m.Path, m.Expected(), m.Got())
}

// resolver turns a ${NAME} into its value (a call id, an operation id, an identity id).
type resolver func(name string) (string, error)

// interpolate copies a pattern with every ${NAME} replaced and every $regex compiled.
func interpolate(n *node, res resolver) (*node, error) {
	return interp(n, res, false, 0)
}

func interp(n *node, res resolver, inRegex bool, depth int) (*node, error) {
	if n == nil {
		return nil, nil
	}
	if depth > maxDepth {
		return nil, fmt.Errorf("pattern nested deeper than %d levels", maxDepth)
	}
	cp := *n
	switch n.k {
	case kString:
		s, err := substitute(n.s, res, inRegex)
		if err != nil {
			return nil, err
		}
		cp.s = s
		if inRegex {
			re, err := regexp.Compile(s)
			if err != nil {
				return nil, fmt.Errorf("$regex %q: %v", s, err)
			}
			cp.re = re
		}
	case kMap, kSeq:
		cp.vals = make([]*node, len(n.vals))
		for i, v := range n.vals {
			rx := n.k == kMap && n.keys[i].s == "$regex"
			x, err := interp(v, res, rx, depth+1)
			if err != nil {
				return nil, err
			}
			cp.vals[i] = x
		}
	}
	return &cp, nil
}

func substitute(s string, res resolver, quote bool) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("unclosed ${ in %q", s)
		}
		b.WriteString(s[:i])
		name := s[i+2 : i+j]
		v, err := res(name)
		if err != nil {
			return "", err
		}
		if quote {
			v = regexp.QuoteMeta(v)
		}
		b.WriteString(v)
		s = s[i+j+1:]
	}
	return b.String(), nil
}

// matchItem compares a notification pattern with one decoded commsNotification item.
func matchItem(pat *node, item map[string]any) []mismatch {
	var out []mismatch
	for i, k := range pat.keys {
		v := pat.vals[i]
		switch k.s {
		case "resource", "resourceUrl":
			r, _ := item["resource"].(string)
			u, hasURL := item["resourceUrl"].(string)
			ok := false
			if k.s == "resource" {
				ok = globMatch(v.s, r) || hasURL && globMatch(v.s, u)
			} else {
				ok = hasURL && globMatch(v.s, u)
			}
			if !ok {
				got := quoteJSON(r)
				if k.s == "resourceUrl" {
					got = "<absent>"
					if hasURL {
						got = quoteJSON(u)
					}
				} else if hasURL {
					got += " (resourceUrl " + quoteJSON(u) + ")"
				}
				out = append(out, mismatch{Path: k.s, pat: v, got: got})
			}
		default:
			a, present := item[k.s]
			matchValue(v, a, present, k.s, &out, 0)
		}
	}
	return out
}

// matchValue compares a value pattern with an actual JSON value, appending each mismatch.
func matchValue(p *node, a any, present bool, path string, out *[]mismatch, depth int) {
	if depth > 2*maxDepth {
		*out = append(*out, mismatch{Path: path, expected: "a shallower value", got: "a value nested too deep"})
		return
	}
	switch p.k {
	case kMap:
		if isOperatorMap(p) {
			if !opsHold(p, a, present, depth) {
				*out = append(*out, diff(path, "", p, a, present))
			}
			return
		}
		m, ok := a.(map[string]any)
		if !present || !ok {
			*out = append(*out, diff(path, "an object ", p, a, present))
			return
		}
		for i, k := range p.keys {
			sub, has := m[k.s]
			matchValue(p.vals[i], sub, has, path+"."+k.s, out, depth+1)
		}
	case kSeq:
		l, ok := a.([]any)
		if !present || !ok {
			*out = append(*out, diff(path, "a list ", p, a, present))
			return
		}
		matchList(p, l, path, out, depth)
	case kNull:
		if present && a != nil {
			*out = append(*out, mismatch{Path: path, expected: "null", act: a, present: present, hasAct: true})
		}
	default:
		if !present || !scalarEqual(p, a) {
			*out = append(*out, diff(path, "", p, a, present))
		}
	}
}

func matches(p *node, a any, present bool, depth int) bool {
	var out []mismatch
	matchValue(p, a, present, "", &out, depth+1)
	return len(out) == 0
}

// assign pairs each pattern i with a distinct actual j where ok[i][j] holds, as many as
// possible (augmenting paths: a maximum bipartite matching). It returns, for each actual, the
// pattern it went to (-1 if none) and the patterns left without one, in order.
func assign(ok [][]bool, actuals int) (owner []int, unmatched []int) {
	owner = make([]int, actuals)
	for j := range owner {
		owner[j] = -1
	}
	var try func(i int, seen []bool) bool
	try = func(i int, seen []bool) bool {
		for j := 0; j < actuals; j++ {
			if !ok[i][j] || seen[j] {
				continue
			}
			seen[j] = true
			if owner[j] < 0 || try(owner[j], seen) {
				owner[j] = i
				return true
			}
		}
		return false
	}
	for i := range ok {
		if !try(i, make([]bool, actuals)) {
			unmatched = append(unmatched, i)
		}
	}
	return owner, unmatched
}

// matchList: each pattern element must match a distinct actual element (bipartite matching).
func matchList(p *node, l []any, path string, out *[]mismatch, depth int) {
	n := len(p.vals)
	if n == 0 {
		return
	}
	ok := make([][]bool, n)
	for i, pv := range p.vals {
		ok[i] = make([]bool, len(l))
		for j, av := range l {
			ok[i][j] = matches(pv, av, true, depth)
		}
	}
	_, unmatched := assign(ok, len(l))
	for _, i := range unmatched {
		if len(l) == 0 {
			*out = append(*out, mismatch{Path: path, prefix: "a list containing ", pat: p.vals[i], got: "[]"})
			continue
		}
		// report the nearest element's differences, so the author sees what is off
		bestJ, best := -1, []mismatch(nil)
		for j, av := range l {
			if ok[i][j] {
				continue
			}
			var mm []mismatch
			matchValue(p.vals[i], av, true, fmt.Sprintf("%s[%d]", path, j), &mm, depth+1)
			if bestJ < 0 || len(mm) < len(best) {
				bestJ, best = j, mm
			}
		}
		if bestJ < 0 {
			*out = append(*out, mismatch{Path: path, prefix: "another element (each pattern element needs its own) matching ", pat: p.vals[i], act: l, present: true, hasAct: true})
			continue
		}
		*out = append(*out, best...)
	}
}

func isOperatorMap(p *node) bool {
	return p.k == kMap && len(p.keys) > 0 && strings.HasPrefix(p.keys[0].s, "$")
}

func opsHold(p *node, a any, present bool, depth int) bool {
	for i, k := range p.keys {
		v := p.vals[i]
		switch k.s {
		case "$exists":
			if present != v.b {
				return false
			}
		case "$regex":
			s, ok := a.(string)
			if !present || !ok {
				return false
			}
			re := v.re
			if re == nil {
				var err error
				if re, err = regexp.Compile(v.s); err != nil {
					return false
				}
			}
			if !re.MatchString(s) {
				return false
			}
		case "$ne":
			if present && matches(v, a, true, depth) {
				return false
			}
		case "$in":
			if !present {
				return false
			}
			found := false
			for _, x := range v.vals {
				if matches(x, a, true, depth) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		case "$len":
			if !present {
				return false
			}
			var n int
			switch x := a.(type) {
			case []any:
				n = len(x)
			case map[string]any:
				n = len(x)
			case string:
				n = len([]rune(x))
			default:
				return false
			}
			if !matches(v, float64(n), true, depth) {
				return false
			}
		case "$gt", "$gte", "$lt", "$lte":
			f, ok := a.(float64)
			if !present || !ok || v.k != kNumber {
				return false
			}
			switch k.s {
			case "$gt":
				ok = f > v.f
			case "$gte":
				ok = f >= v.f
			case "$lt":
				ok = f < v.f
			case "$lte":
				ok = f <= v.f
			}
			if !ok {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func scalarEqual(p *node, a any) bool {
	switch p.k {
	case kString:
		s, ok := a.(string)
		return ok && s == p.s
	case kNumber:
		switch x := a.(type) {
		case float64:
			return x == p.f
		case json.Number:
			f, err := x.Float64()
			return err == nil && f == p.f
		}
		return false
	case kBool:
		b, ok := a.(bool)
		return ok && b == p.b
	case kNull:
		return a == nil
	}
	return false
}

// globMatch matches a resource path against a pattern: * is one segment, ** any number.
// Segments compare case-insensitively (Graph ids are GUIDs in either case).
func globMatch(pattern, path string) bool {
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	if strings.HasPrefix(pattern, "/") != strings.HasPrefix(path, "/") && path != "" {
		// a relative pattern is not a path; compare as given
		return false
	}
	// dp[i][j]: ps[i:] matches xs[j:]
	dp := make([][]bool, len(ps)+1)
	for i := range dp {
		dp[i] = make([]bool, len(xs)+1)
	}
	dp[len(ps)][len(xs)] = true
	for i := len(ps) - 1; i >= 0; i-- {
		for j := len(xs); j >= 0; j-- {
			switch {
			case ps[i] == "**":
				dp[i][j] = dp[i+1][j] || j < len(xs) && dp[i][j+1]
			case j < len(xs) && (ps[i] == "*" || strings.EqualFold(ps[i], xs[j])):
				dp[i][j] = dp[i+1][j+1]
			}
		}
	}
	return dp[0][0]
}

// render shows a pattern value compactly (JSON-like).
func render(p *node) string {
	return truncate(string(mustJSON(p.toAny())), 160)
}

func renderActual(a any, present bool) string {
	if !present {
		return "<absent>"
	}
	return truncate(string(mustJSON(a)), 160)
}

func quoteJSON(s string) string { return string(mustJSON(s)) }

func mustJSON(v any) []byte {
	b, err := marshalNoEscape(v)
	if err != nil {
		return []byte(fmt.Sprint(v))
	}
	return b
}

func marshalNoEscape(v any) ([]byte, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(sanitize(v)); err != nil {
		return nil, err
	}
	return []byte(strings.TrimSuffix(b.String(), "\n")), nil
}

// sanitize replaces values JSON cannot hold (NaN, infinities) so rendering never fails.
func sanitize(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Sprint(x)
		}
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = sanitize(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = sanitize(e)
		}
		return l
	}
	return v
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "..."
}

// notice is an observed notification, decoded once.
type notice struct {
	seq   uint64
	t     int64
	items []map[string]any
	desc  string
	// req: a bot's request (bottest.go), one item {method, path, body, status}; created is
	// the call or operation id it created
	req     bool
	created string
}

func decodeNotice(seq uint64, t int64, body []byte) notice {
	n := notice{seq: seq, t: t}
	var env struct {
		Value []map[string]any `json:"value"`
	}
	if json.Unmarshal(body, &env) == nil {
		n.items = env.Value
	}
	if len(n.items) > 0 {
		ct, _ := n.items[0]["changeType"].(string)
		r, _ := n.items[0]["resource"].(string)
		n.desc = ct + " " + r
	}
	return n
}

// distance scores how far a notification is from a pattern: a different changeType or resource
// means a different kind of notification, so those weigh more than a differing field.
func distance(mm []mismatch) int {
	d := 0
	for _, m := range mm {
		switch m.Path {
		case "changeType", "resource", "resourceUrl", "method", "path":
			d += 10
		default:
			d++
		}
	}
	return d
}

// matchNotice reports whether any item of the notification matches; otherwise the differences
// of its closest item.
func matchNotice(p *node, n notice) (bool, []mismatch) {
	if n.req {
		return matchRequest(p, n)
	}
	var best []mismatch
	for i, it := range n.items {
		mm := matchItem(p, it)
		if len(mm) == 0 {
			return true, nil
		}
		if i == 0 || distance(mm) < distance(best) {
			best = mm
		}
	}
	if len(n.items) == 0 {
		best = []mismatch{{Path: "value", expected: "a commsNotification", got: "no items"}}
	}
	return false, best
}

// closestNotice picks the notification nearest to the pattern (the earliest on a tie).
func closestNotice(p *node, notes []notice) (notice, []mismatch, bool) {
	var best notice
	var bestMM []mismatch
	found := false
	for _, n := range notes {
		ok, mm := matchNotice(p, n)
		if ok {
			return n, nil, true
		}
		if !found || distance(mm) < distance(bestMM) {
			best, bestMM, found = n, mm, true
		}
	}
	return best, bestMM, found
}

// sortedSeqs returns the sequence numbers in order.
func sortedSeqs(s []uint64) []uint64 {
	out := append([]uint64(nil), s...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
