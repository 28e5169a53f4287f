package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/callsim/callsim/sim"
)

// generateSchema returns schema.json with its step kinds taken from stepSpecs: the properties
// of definitions.step after id, at and expectError are the specs' fragments, in stepSpecs order,
// and its oneOf requires exactly one of them. Everything else is the file as written.
// TestSchemaGenerated fails when the committed file differs (go test -run TestSchemaGenerated -update).
func generateSchema(src []byte) ([]byte, error) {
	out, err := editObject(src, []string{"definitions", "step"}, func(step []member) ([]member, error) {
		for i := range step {
			switch step[i].key {
			case "properties":
				props, err := members(step[i].val)
				if err != nil {
					return nil, err
				}
				var kept []member
				for _, m := range props {
					if contains(stepCommonKeys, m.key) {
						kept = append(kept, m)
					}
				}
				for _, sp := range stepSpecs {
					if !json.Valid([]byte(sp.schema)) {
						return nil, fmt.Errorf("step %s: the schema fragment is not JSON", sp.kind)
					}
					kept = append(kept, member{key: sp.kind, val: json.RawMessage(sp.schema)})
				}
				step[i].val = encodeObject(kept)
			case "oneOf":
				alts := make([]string, len(stepSpecs))
				for j, sp := range stepSpecs {
					alts[j] = `{"required": [` + q(sp.kind) + `]}`
				}
				step[i].val = json.RawMessage("[" + strings.Join(alts, ", ") + "]")
			}
		}
		return step, nil
	})
	if err != nil {
		return nil, fmt.Errorf("generate schema.json: %w", err)
	}
	if out, err = editObject(out, []string{"properties"}, timersSchema); err != nil {
		return nil, fmt.Errorf("generate schema.json: %w", err)
	}
	var b bytes.Buffer
	if err := json.Indent(&b, out, "", "  "); err != nil {
		return nil, fmt.Errorf("generate schema.json: %w", err)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// member is one key of a JSON object, its value kept as written.
type member struct {
	key string
	val json.RawMessage
}

// members reads a JSON object's members in their order.
func members(obj []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("expected a JSON object")
	}
	var out []member
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, member{key: k, val: v})
	}
	return out, nil
}

func encodeObject(ms []member) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(q(m.key))
		b.WriteByte(':')
		b.Write(m.val)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// editObject applies f to the object at path inside the JSON object src, keeping member order.
func editObject(src []byte, path []string, f func([]member) ([]member, error)) (json.RawMessage, error) {
	ms, err := members(src)
	if err != nil {
		return nil, err
	}
	if len(path) == 0 {
		if ms, err = f(ms); err != nil {
			return nil, err
		}
		return encodeObject(ms), nil
	}
	for i := range ms {
		if ms[i].key == path[0] {
			v, err := editObject(ms[i].val, path[1:], f)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path[0], err)
			}
			ms[i].val = v
			return encodeObject(ms), nil
		}
	}
	return nil, fmt.Errorf("no key %q", path[0])
}

// timersSchema writes the top-level timers property from sim.Timers (after ringTimeout).
func timersSchema(props []member) ([]member, error) {
	var tp []member
	for _, t := range sim.Timers() {
		d := fmt.Sprintf("%s (default %s).", strings.ToUpper(t.Doc[:1])+t.Doc[1:], t.Default)
		tp = append(tp, member{key: t.Name, val: json.RawMessage(`{"description": ` + q(d) + `, "$ref": "#/definitions/duration"}`)})
	}
	val := json.RawMessage(`{"description": "The simulated service's timers (durations such as 30s or 2m).", "type": "object", "additionalProperties": false, "properties": ` + string(encodeObject(tp)) + `}`)
	for i := range props {
		if props[i].key == "timers" {
			props[i].val = val
			return props, nil
		}
	}
	for i := range props {
		if props[i].key == "ringTimeout" {
			return append(props[:i+1], append([]member{{key: "timers", val: val}}, props[i+1:]...)...), nil
		}
	}
	return nil, fmt.Errorf("no ringTimeout property to put timers after")
}
