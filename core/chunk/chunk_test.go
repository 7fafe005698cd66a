package chunk

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"
	"time"
)

// encode appends every sample to a new chunk.
func encode(t testing.TB, samples []sample) []byte {
	t.Helper()
	a := NewAppender()
	for i, s := range samples {
		if err := a.Append(s.t, s.v); err != nil {
			t.Fatalf("append sample %d (%d, %v): %v", i, s.t, s.v, err)
		}
	}
	if a.Len() != len(samples) {
		t.Fatalf("Len = %d, want %d", a.Len(), len(samples))
	}
	return a.Bytes()
}

// decode reads every sample of b.
func decode(b []byte) ([]sample, error) {
	var out []sample
	it := NewIterator(b)
	for it.Next() {
		t, v := it.At()
		out = append(out, sample{t, v})
	}
	return out, it.Err()
}

// same compares samples exactly, values by their bits.
func same(t testing.TB, got, want []sample) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("decoded %d samples, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].t != want[i].t || math.Float64bits(got[i].v) != math.Float64bits(want[i].v) {
			t.Fatalf("sample %d = (%d, %v), want (%d, %v)", i, got[i].t, got[i].v, want[i].t, want[i].v)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	minute := int64(time.Minute / time.Millisecond)
	negZero := math.Copysign(0, -1)
	cases := []struct {
		name    string
		samples []sample
	}{
		{"empty", nil},
		{"one sample", []sample{{start, 42}}},
		{"two samples", []sample{{start, 42}, {start + minute, 43}}},
		{"irregular intervals", []sample{
			{start, 1}, {start + 1, 2}, {start + 60_000, 3}, {start + 60_001, 3}, {start + 3_600_000, 4},
			{start + 3_600_300, 4}, {start + 3_602_348, 5}, {start + 86_400_000, 6}, {start + 86_400_001, 7},
		}},
		{"NaN and infinities", []sample{
			{start, math.NaN()}, {start + minute, math.Inf(1)}, {start + 2*minute, math.Inf(-1)},
			{start + 3*minute, 0}, {start + 4*minute, negZero}, {start + 5*minute, math.Float64frombits(0x7ff8_0000_dead_beef)},
			{start + 6*minute, math.NaN()}, {start + 7*minute, 1},
		}},
		{"negative values", []sample{
			{start, -1}, {start + minute, -1.5}, {start + 2*minute, -1e300}, {start + 3*minute, -273.15},
			{start + 4*minute, 5}, {start + 5*minute, -5},
		}},
		{"large jumps", []sample{
			{start, 0}, {start + minute, math.MaxFloat64}, {start + 2*minute, math.SmallestNonzeroFloat64},
			{start + 3*minute, -math.MaxFloat64}, {start + 10*365*24*3600*1000, 1e-300},
			{start + 10*365*24*3600*1000 + 1, 1}, {start + 20*365*24*3600*1000, 2},
		}},
		{"times across the int64 range", []sample{
			{math.MinInt64, 1}, {-1, 2}, {0, 3}, {1, 4}, {math.MaxInt64 - 1, 5}, {math.MaxInt64, 6},
		}},
		{"decimals changing scale and size", func() []sample {
			var out []sample
			for i, v := range []float64{0.52, 0.53, 0.5, 0.51, 0.512, 12, 12.5, -0.5, math.Copysign(0, -1), 0, 0.1 + 0.2,
				0.3, 1 << 53, 1<<53 + 2, -(1 << 53), 1e-6, 2e-6, 123456.789012, 123456.789013, 1e15 / 3, 1e300, 1.25,
				1.25 + 31e-2, 1.25 + 31e-2 - 2, 1000, 1000 + 1<<31, 1000 + 1<<31 - 1, 7} {
				out = append(out, sample{start + int64(i)*60_000, v})
			}
			return out
		}()},
		{"delta-of-delta class edges", func() []sample {
			var out []sample
			tm, d := start, int64(1000)
			out = append(out, sample{tm, 0})
			for i, dod := range []int64{0, -63, 64, -64, 65, -255, 256, -256, 257, -2047, 2048, -2048, 2049,
				math.MinInt32, math.MaxInt32, math.MinInt32 - 1, math.MaxInt32 + 1} {
				d += dod
				if d <= 0 {
					d = 1 << 40
				}
				tm += d
				out = append(out, sample{tm, float64(i)})
			}
			return out
		}()},
	}
	for _, s := range realistic() {
		cases = append(cases, struct {
			name    string
			samples []sample
		}{s.name, s.samples})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := encode(t, c.samples)
			got, err := decode(b)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			same(t, got, c.samples)
			if b[0] != Format || int(binary.BigEndian.Uint16(b[1:])) != len(c.samples) {
				t.Fatalf("header % x, want format %d and %d samples", b[:3], Format, len(c.samples))
			}
		})
	}
}

// TestBytesWhileAppending: Bytes is a snapshot; the chunk goes on.
func TestBytesWhileAppending(t *testing.T) {
	a := NewAppender()
	var want []sample
	for i := range 10 {
		s := sample{start + int64(i)*60_000, float64(i * i)}
		if err := a.Append(s.t, s.v); err != nil {
			t.Fatal(err)
		}
		want = append(want, s)
		got, err := decode(a.Bytes())
		if err != nil {
			t.Fatalf("after %d samples: %v", i+1, err)
		}
		same(t, got, want)
	}
}

func TestAppendErrors(t *testing.T) {
	cases := []struct {
		name string
		t    int64
	}{
		{"same time", start + 60_000},
		{"earlier time", start},
		{"far earlier time", math.MinInt64},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := NewAppender()
			want := []sample{{start, 1}, {start + 60_000, 2}}
			for _, s := range want {
				if err := a.Append(s.t, s.v); err != nil {
					t.Fatal(err)
				}
			}
			before := a.Bytes()
			if err := a.Append(c.t, 3); !errors.Is(err, ErrOrder) {
				t.Fatalf("Append(%d) = %v, want ErrOrder", c.t, err)
			}
			if string(a.Bytes()) != string(before) || a.Len() != 2 {
				t.Fatalf("a refused sample changed the chunk")
			}
			want = append(want, sample{start + 120_000, 3})
			if err := a.Append(start+120_000, 3); err != nil {
				t.Fatalf("append after a refusal: %v", err)
			}
			got, err := decode(a.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			same(t, got, want)
		})
	}
	t.Run("full", func(t *testing.T) {
		a := NewAppender()
		for i := range MaxSamples {
			if err := a.Append(int64(i), 0); err != nil {
				t.Fatalf("sample %d: %v", i, err)
			}
		}
		if err := a.Append(MaxSamples, 0); !errors.Is(err, ErrFull) {
			t.Fatalf("Append past MaxSamples = %v, want ErrFull", err)
		}
		got, err := decode(a.Bytes())
		if err != nil || len(got) != MaxSamples || got[MaxSamples-1].t != MaxSamples-1 {
			t.Fatalf("full chunk decoded to %d samples, err %v", len(got), err)
		}
	})
}

func TestCorrupt(t *testing.T) {
	valid := encode(t, realistic()[0].samples[:50])
	with := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), valid...)) }
	// bits builds a chunk body bit by bit.
	bits := func(n int, f func(w *bitWriter)) []byte {
		w := bitWriter{b: []byte{Format, byte(n >> 8), byte(n)}, used: 8}
		f(&w)
		return w.b
	}
	cases := []struct {
		name string
		b    []byte
	}{
		{"nil", nil},
		{"one byte", []byte{Format}},
		{"wrong format", with(func(b []byte) []byte { b[0] = 2; return b })},
		{"more samples than data", with(func(b []byte) []byte { b[1]++; return b })},
		{"fewer samples than data", with(func(b []byte) []byte { b[2]--; return b })},
		{"a byte after the end", append(append([]byte(nil), valid...), 0)},
		{"padding bits set", encodePadded(t)},
		{"header only, samples promised", []byte{Format, 0, 1}},
		{"empty chunk with data", []byte{Format, 0, 0, 0}},
		{"varint too long", bits(1, func(w *bitWriter) {
			for range 11 {
				w.writeBits(0xff, 8)
			}
		})},
		{"zero delta", bits(2, func(w *bitWriter) {
			w.writeVarint(10)
			w.writeBits(0, 64)
			w.writeVarint(0)
			w.writeBits(0, 1)
		})},
		{"time wraps around", bits(3, func(w *bitWriter) {
			w.writeVarint(uint64(math.MaxInt64-10) << 1)
			w.writeBits(0, 64)
			w.writeVarint(5)
			w.writeBits(0, 1)
			w.writeBits(0b10, 2)
			w.writeBits(64, 7) // delta 69 passes MaxInt64
			w.writeBits(0, 1)
		})},
		{"delta-of-delta makes time go back", bits(3, func(w *bitWriter) {
			w.writeVarint(20)
			w.writeBits(0, 64)
			w.writeVarint(5)
			w.writeBits(0, 1)
			w.writeBits(0b110, 3)
			w.writeBits(uint64(0x1ff&-6), 9) // delta -1
			w.writeBits(0, 1)
		})},
		{"value window too wide", bits(2, func(w *bitWriter) {
			w.writeVarint(20)
			w.writeBits(0, 64)
			w.writeVarint(5)
			w.writeBits(0b11, 2)
			w.writeBits(31, 5)
			w.writeBits(40, 6)
			w.writeBits(0, 40)
		})},
		{"value reuses no window", bits(2, func(w *bitWriter) {
			w.writeVarint(20)
			w.writeBits(0, 64)
			w.writeVarint(5)
			w.writeBits(0b10, 2)
			w.writeBits(0, 64)
		})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := decode(c.b); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("decode(% x) = %v, want ErrCorrupt", c.b, err)
			}
		})
	}
	t.Run("every truncation", func(t *testing.T) {
		for n := range len(valid) {
			if got, err := decode(valid[:n]); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("%d of %d bytes: %d samples, err %v, want ErrCorrupt", n, len(valid), len(got), err)
			}
		}
	})
}

// encodePadded returns a chunk whose last byte has padding bits set.
func encodePadded(t *testing.T) []byte {
	a := NewAppender()
	if err := a.Append(start, 1); err != nil {
		t.Fatal(err)
	}
	if err := a.Append(start+60_000, 1); err != nil {
		t.Fatal(err)
	}
	if a.w.used == 8 {
		t.Fatal("the test chunk has no padding")
	}
	b := a.Bytes()
	b[len(b)-1] |= 1
	return b
}

// FuzzDecode: no input panics or loops, and whatever decodes encodes back
// to the same samples.
func FuzzDecode(f *testing.F) {
	for _, s := range realistic() {
		f.Add(encode(f, s.samples[:100]))
	}
	f.Add([]byte{Format, 0xff, 0xff})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := decode(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		again, err := decode(encode(t, got))
		if err != nil {
			t.Fatalf("re-encoded samples do not decode: %v", err)
		}
		same(t, again, got)
	})
}

// FuzzRoundTrip: any strictly increasing times with any value bits come
// back exactly. Each 16 bytes of input are a time step and a value.
func FuzzRoundTrip(f *testing.F) {
	f.Add(start, []byte("0123456789abcdef0123456789abcdef"))
	f.Add(int64(math.MinInt64), make([]byte, 64))
	f.Fuzz(func(t *testing.T, t0 int64, data []byte) {
		var samples []sample
		tm := t0
		for i := 0; i+16 <= len(data) && len(samples) < MaxSamples; i += 16 {
			step := binary.LittleEndian.Uint64(data[i:])
			vb := binary.LittleEndian.Uint64(data[i+8:])
			v := math.Float64frombits(vb)
			if vb>>60 == 0xf { // a short decimal, as perfdata mostly is
				v = float64(int32(vb)) / pow10[(vb>>32)%(maxScale+1)]
			}
			if len(samples) > 0 {
				// Mostly small steps, as series have; a high bit asks for any.
				if step>>63 == 0 {
					step %= 1 << (step >> 56 & 63)
				}
				if step == 0 || uint64(math.MaxInt64-tm) < step {
					break
				}
				tm += int64(step)
			}
			samples = append(samples, sample{tm, v})
		}
		got, err := decode(encode(t, samples))
		if err != nil {
			t.Fatal(err)
		}
		same(t, got, samples)
	})
}
