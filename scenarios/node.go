package scenarios

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// node is a YAML value with its position. The loader and the matcher work on nodes rather than on
// goccy's AST so that every later message can point at the line that caused it.
type node struct {
	k         kind
	line, col int
	s         string  // string value; for numbers and bools, the source text
	f         float64 // numeric value
	isInt     bool
	i         int64 // integer value when isInt and it fits
	u         uint64
	neg       bool
	b         bool
	keys      []*node // mapping keys (kString), in source order
	vals      []*node // mapping values (parallel to keys) or sequence items
	flow      bool
	re        *regexp.Regexp // compiled $regex of an interpolated pattern
}

type kind uint8

const (
	kNull kind = iota
	kBool
	kNumber
	kString
	kMap
	kSeq
)

func (k kind) String() string {
	switch k {
	case kNull:
		return "null"
	case kBool:
		return "a boolean"
	case kNumber:
		return "a number"
	case kString:
		return "a string"
	case kMap:
		return "a mapping"
	case kSeq:
		return "a list"
	}
	return "?"
}

// get returns the value of a mapping key (nil if absent).
func (n *node) get(key string) *node {
	if n == nil || n.k != kMap {
		return nil
	}
	for i, k := range n.keys {
		if k.s == key {
			return n.vals[i]
		}
	}
	return nil
}

// maxDepth bounds nesting so a hostile file cannot exhaust the stack.
const maxDepth = 64

// parseYAML turns source bytes into a node tree. Syntax problems and unsupported constructs are
// reported to c; the tree may then be nil.
// Limits of what the loader reads: the YAML parser's memory grows with the square of the nesting
// depth (80 KB of nested "[" took 2.36 GB), and a file's size bounds its steps.
const (
	MaxFileBytes = 2 << 20 // bytes in a scenario file
	MaxDepth     = 64      // nesting levels of mappings and lists (a scenario needs about 8)
	MaxSteps     = 10000   // steps in a scenario
)

// tooDeep reports where values first nest more than MaxDepth levels, from the tokens alone (the
// lexer is linear): flow brackets open levels, and so does each block value indented (or, for
// "- - x", placed) right of the one that holds it.
func tooDeep(src []byte) (line, col int, deep bool) {
	flow := 0
	var cols []int // the columns of the open block values
	lastLine := 0
	for _, tk := range lexer.Tokenize(string(src)) {
		p := tk.Position
		if p == nil {
			continue
		}
		if flow == 0 && (p.Line != lastLine || tk.Type == token.SequenceEntryType) && tk.Type != token.CommentType {
			for len(cols) > 0 && cols[len(cols)-1] >= p.Column {
				cols = cols[:len(cols)-1]
			}
			cols = append(cols, p.Column)
		}
		lastLine = p.Line
		switch tk.Type {
		case token.SequenceStartType, token.MappingStartType:
			flow++
		case token.SequenceEndType, token.MappingEndType:
			flow = max(flow-1, 0)
		}
		if flow+len(cols) > MaxDepth {
			return p.Line, p.Column, true
		}
	}
	return 0, 0, false
}

func parseYAML(c *checker, src []byte) *node {
	f, err := parseBytesSafe(src)
	if err != nil {
		line, col, msg := 1, 1, err.Error()
		if pe, ok := err.(yamlError); ok {
			msg = pe.GetMessage()
			if tk := pe.GetToken(); tk != nil && tk.Position != nil {
				line, col = tk.Position.Line, tk.Position.Column
			}
		} else if i := strings.Index(msg, "\n"); i >= 0 {
			msg = msg[:i]
		}
		c.errAt(line, col, "%s", msg)
		return nil
	}
	var docs []*ast.DocumentNode
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		c.errAt(1, 1, "the file is empty: a scenario needs at least version: 1 and name")
		return nil
	}
	if len(docs) > 1 {
		t := docs[1].Body.GetToken()
		line, col := 1, 1
		if t != nil && t.Position != nil {
			line, col = t.Position.Line, t.Position.Column
		}
		c.errAt(line, col, "a scenario file holds one YAML document; found another here")
	}
	return c.conv(docs[0].Body, 0)
}

// parseBytesSafe parses with duplicate keys allowed (the loader reports them all itself) and
// turns a parser panic into an error: a bad file must never crash callsim.
func parseBytesSafe(src []byte) (f *ast.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("the YAML parser failed on this file: %v", r)
		}
	}()
	return parser.ParseBytes(src, 0, parser.AllowDuplicateMapKey())
}

type yamlError interface {
	error
	GetMessage() string
	GetToken() *token.Token
}

func pos(n ast.Node) (int, int) {
	if n == nil {
		return 1, 1
	}
	t := n.GetToken()
	if t == nil || t.Position == nil {
		return 1, 1
	}
	return t.Position.Line, t.Position.Column
}

func (c *checker) conv(an ast.Node, depth int) *node {
	if an == nil {
		return &node{k: kNull, line: 1, col: 1}
	}
	line, col := pos(an)
	if depth > maxDepth {
		c.errAt(line, col, "nesting is deeper than %d levels", maxDepth)
		return &node{k: kNull, line: line, col: col}
	}
	switch v := an.(type) {
	case *ast.NullNode:
		return &node{k: kNull, line: line, col: col, s: "null"}
	case *ast.BoolNode:
		return &node{k: kBool, line: line, col: col, b: v.Value, s: v.GetToken().Value}
	case *ast.IntegerNode:
		n := &node{k: kNumber, line: line, col: col, s: v.GetToken().Value, isInt: true}
		switch x := v.Value.(type) {
		case int64:
			n.i, n.f = x, float64(x)
			if x >= 0 {
				n.u = uint64(x)
			} else {
				n.neg = true
			}
		case uint64:
			n.u, n.f = x, float64(x)
			if x <= math.MaxInt64 {
				n.i = int64(x)
			}
		default:
			f, err := strconv.ParseFloat(fmt.Sprint(x), 64)
			if err != nil {
				c.errAt(line, col, "cannot read the number %q", n.s)
			}
			n.f, n.isInt = f, false
		}
		return n
	case *ast.FloatNode:
		return &node{k: kNumber, line: line, col: col, f: v.Value, s: v.GetToken().Value}
	case *ast.InfinityNode:
		return &node{k: kNumber, line: line, col: col, f: v.Value, s: v.GetToken().Value}
	case *ast.NanNode:
		return &node{k: kNumber, line: line, col: col, f: math.NaN(), s: v.GetToken().Value}
	case *ast.StringNode:
		return &node{k: kString, line: line, col: col, s: v.Value}
	case *ast.LiteralNode:
		s := ""
		if v.Value != nil {
			s = v.Value.Value
		}
		return &node{k: kString, line: line, col: col, s: s}
	case *ast.TagNode:
		inner := c.conv(v.Value, depth+1)
		inner.line, inner.col = line, col
		if v.Start != nil && v.Start.Value == "!!str" && inner.k != kMap && inner.k != kSeq {
			if inner.k == kNull && v.Value == nil {
				inner.s = ""
			}
			inner.k = kString
		}
		return inner
	case *ast.AnchorNode:
		return c.conv(v.Value, depth+1)
	case *ast.AliasNode:
		c.errAt(line, col, "YAML aliases (*name) are not supported in scenario files; repeat the value instead")
		return &node{k: kNull, line: line, col: col}
	case *ast.MappingValueNode:
		m := &node{k: kMap, line: line, col: col}
		c.addPair(m, v, depth)
		if len(m.keys) > 0 {
			m.line, m.col = m.keys[0].line, m.keys[0].col
		}
		return m
	case *ast.MappingNode:
		m := &node{k: kMap, line: line, col: col, flow: v.IsFlowStyle}
		for _, mv := range v.Values {
			c.addPair(m, mv, depth)
		}
		if !v.IsFlowStyle && len(m.keys) > 0 {
			m.line, m.col = m.keys[0].line, m.keys[0].col
		}
		return m
	case *ast.SequenceNode:
		s := &node{k: kSeq, line: line, col: col, flow: v.IsFlowStyle}
		for _, x := range v.Values {
			s.vals = append(s.vals, c.conv(x, depth+1))
		}
		return s
	case *ast.MappingKeyNode:
		return c.conv(v.Value, depth+1)
	case *ast.MergeKeyNode:
		c.errAt(line, col, "YAML merge keys (<<) are not supported in scenario files")
		return &node{k: kNull, line: line, col: col}
	case *ast.DocumentNode:
		return c.conv(v.Body, depth+1)
	}
	c.errAt(line, col, "unsupported YAML construct (%s)", an.Type())
	return &node{k: kNull, line: line, col: col}
}

func (c *checker) addPair(m *node, mv *ast.MappingValueNode, depth int) {
	if mv == nil {
		return
	}
	k := c.conv(mv.Key, depth+1)
	if k.k == kMap || k.k == kSeq {
		c.errAt(k.line, k.col, "a mapping key must be a plain name")
	}
	key := &node{k: kString, line: k.line, col: k.col, s: k.s}
	if k.k == kNull && mv.Key != nil {
		key.s = mv.Key.GetToken().Value
	}
	for _, old := range m.keys {
		if old.s == key.s {
			c.errAt(key.line, key.col, "key %q is already defined at line %d", key.s, old.line)
		}
	}
	val := c.conv(mv.Value, depth+1)
	if val.k == kNull && mv.Value != nil && mv.Value.GetToken() != nil && mv.Value.GetToken().Value == "" {
		// an empty value: point at the key, where the author will look
		val.line, val.col = key.line, key.col
	}
	m.keys = append(m.keys, key)
	m.vals = append(m.vals, val)
}

// toAny turns a node into the plain Go value encoding/json would produce for the same data.
func (n *node) toAny() any {
	switch n.k {
	case kBool:
		return n.b
	case kNumber:
		return n.f
	case kString:
		return n.s
	case kMap:
		m := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			m[k.s] = n.vals[i].toAny()
		}
		return m
	case kSeq:
		l := make([]any, len(n.vals))
		for i, v := range n.vals {
			l[i] = v.toAny()
		}
		return l
	}
	return nil
}
