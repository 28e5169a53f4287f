package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
)

//go:embed builtin/*.yaml
var builtinFS embed.FS

// Info describes a built-in scenario.
type Info struct {
	Name, Title, Description string
}

// Builtins lists the built-in scenarios, sorted by name.
func Builtins() []Info {
	var out []Info
	for _, name := range builtinNames() {
		s, err := loadBuiltin(name)
		if err != nil {
			// a broken built-in is a bug that the tests catch; list it so it is visible
			out = append(out, Info{Name: name, Title: "(invalid)", Description: err.Error()})
			continue
		}
		out = append(out, Info{Name: name, Title: s.Title(), Description: s.Description()})
	}
	return out
}

func builtinNames() []string {
	ents, err := fs.ReadDir(builtinFS, "builtin")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".yaml") {
			names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
		}
	}
	sort.Strings(names)
	return names
}

// BuiltinSource returns a built-in scenario's YAML source.
func BuiltinSource(name string) ([]byte, bool) {
	b, err := builtinFS.ReadFile(path.Join("builtin", name+".yaml"))
	return b, err == nil
}

func loadBuiltin(name string) (*Scenario, error) {
	src, ok := BuiltinSource(name)
	if !ok {
		return nil, fmt.Errorf("no built-in scenario %q", name)
	}
	s, err := Parse(name+".yaml", src)
	if err != nil {
		return nil, err
	}
	s.name = name
	return s, nil
}

// Load loads a built-in scenario by name, or a scenario file by path. A file with problems gives
// an error of type *Errors.
func Load(ref string) (*Scenario, error) {
	names := builtinNames()
	for _, n := range names {
		if n == ref {
			return loadBuiltin(ref)
		}
	}
	src, err := readCapped(ref)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !strings.ContainsAny(ref, `/\`) && !strings.HasSuffix(ref, ".yaml") && !strings.HasSuffix(ref, ".yml") {
			return nil, fmt.Errorf("no built-in scenario or file named %q (built-ins: %s)%s", ref, strings.Join(names, ", "), didYouMean(ref, names))
		}
		return nil, fmt.Errorf("load %s: %w", ref, err)
	}
	return Parse(ref, src)
}

// readCapped reads a scenario file, but no more than one byte past MaxFileBytes (Parse reports
// the size; a device such as /dev/zero would never end).
func readCapped(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
}
