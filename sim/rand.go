package sim

import (
	"hash/fnv"
	"math/rand/v2"
	"time"
)

// stream is one named, seeded random stream. Values are derived from Uint64 by our own
// arithmetic, not rand's helpers, so a Go upgrade cannot move golden transcripts.
type stream struct {
	pcg *rand.PCG
}

func newStream(seed uint64, name string) *stream {
	h := fnv.New64a()
	h.Write([]byte(name))
	return &stream{pcg: rand.NewPCG(seed, h.Sum64())}
}

// between draws a duration in [r.Min, r.Max] with millisecond granularity.
func (s *stream) between(r Range) time.Duration {
	if r.Max <= r.Min {
		return r.Min
	}
	span := uint64((r.Max-r.Min)/time.Millisecond) + 1
	return r.Min + time.Duration(s.pcg.Uint64()%span)*time.Millisecond
}

// chance reports true with probability p (p >= 1 always, p <= 0 never).
func (s *stream) chance(p float64) bool {
	if p >= 1 {
		return true
	}
	if p <= 0 {
		return false
	}
	return float64(s.pcg.Uint64()>>11)/(1<<53) < p
}

// guid draws a lowercase dashed version-4 GUID.
func (s *stream) guid() string {
	a, b := s.pcg.Uint64(), s.pcg.Uint64()
	var u [16]byte
	for i := 0; i < 8; i++ {
		u[i] = byte(a >> (56 - 8*i))
		u[8+i] = byte(b >> (56 - 8*i))
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var out [36]byte
	j := 0
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j] = hexDigit[c>>4]
		out[j+1] = hexDigit[c&0xf]
		j += 2
	}
	return string(out[:])
}

const hexDigit = "0123456789abcdef"

// streams holds the run's named streams, created on first use.
type streams struct {
	seed uint64
	byID map[string]*stream
}

func (s *streams) get(name string) *stream {
	if st, ok := s.byID[name]; ok {
		return st
	}
	if s.byID == nil {
		s.byID = map[string]*stream{}
	}
	st := newStream(s.seed, name)
	s.byID[name] = st
	return st
}
