// Package chunk is a compressed encoding of the samples of one perfdata
// series: delta-of-delta timestamps and XOR-compressed float64 values, the
// scheme of Facebook's Gorilla paper ("Gorilla: A Fast, Scalable, In-Memory
// Time Series Database", VLDB 2015) that Prometheus' TSDB also uses.
//
// The encoder is vakt's own, a few hundred lines with no dependency: Prometheus'
// tsdb/chunkenc would pull in much of the Prometheus module for one file,
// and its format carries Prometheus' choices (a 120-sample target, its own
// header). Owning it lets the format say exactly what vakt needs: a format
// byte, a sample count, errors (never a panic or an endless loop) for any
// corrupted or truncated chunk, and the decimal deltas described below.
//
// # Timestamps
//
// Timestamps are int64 Unix milliseconds, as in Prometheus. A check result's
// time is when the engine applied it, so it carries the plugin's run time
// as jitter: in nanoseconds every delta-of-delta of a 1-minute series would
// take the 32-bit class (about 4.5 bytes a sample for the time alone), in
// milliseconds typical jitter of tens of milliseconds fits the 7- or 9-bit
// class. Nothing about a check result is meaningful below a millisecond.
// A caller holding nanoseconds (the store's rows today) converts with
// time.Time.UnixMilli, which drops the sub-millisecond part: for an exact
// round trip the rows must hold whole milliseconds too.
//
// # Format
//
// A chunk is a bit stream, most significant bit first:
//
//	byte 0     format (1)
//	bytes 1-2  number of samples, big-endian (at most MaxSamples)
//	sample 0   time as a zig-zag varint (bytes), value as 64 raw bits
//	sample 1   time delta (> 0) as a varint, value XORed with sample 0
//	sample n   delta-of-delta of the time, value XORed with sample n-1
//
// Delta-of-delta classes, two's complement: '0' for 0; '10' and 7 bits for
// [-64, 63]; '110' and 9 bits for [-256, 255]; '1110' and 12 bits for
// [-2048, 2047]; '11110' and 32 bits; '11111' and 64 bits otherwise.
// Values: '0' when the bits equal the previous value's. '10' and a
// decimal delta when both values are short decimals at one scale (n/10^s
// for s up to 6, as plugins print them: 0.52, 71.31): the delta of the
// integers n in a class of '0' and 6 bits, '10' and 13, '110' and 20 or
// '1110' and 32 bits. Otherwise Gorilla's XOR with the previous value:
// '110' and the meaningful bits when they fit the previous window of
// leading and trailing zeros, or '111', 5 bits of leading zeros (at most
// 31), 6 bits of length (0 meaning 64) and the meaningful bits. The writer
// takes the shorter of the two; the scale is not written, as the writer and
// the reader both derive it from the previous value (its smallest scale, no
// smaller than the one before). Values are compared by their bits, so NaN
// payloads, -0 and ±Inf come back exactly.
//
// The decimal delta is vakt's addition to Gorilla: XOR compresses a value
// like 0.52 after 0.53 badly (their binary fractions share few bits), and
// load, percentages and response times are such values.
package chunk

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// Format is the first byte of every chunk this package writes.
const Format = 1

// MaxSamples is the most samples one chunk holds (its count is 16 bits).
const MaxSamples = math.MaxUint16

const headerSize = 3

var (
	// ErrOrder is returned by Append for a timestamp not after the last one.
	ErrOrder = errors.New("chunk: timestamp not after the previous one")
	// ErrFull is returned by Append when the chunk holds MaxSamples.
	ErrFull = errors.New("chunk: full")
	// ErrCorrupt is wrapped by every error of a chunk that does not decode.
	ErrCorrupt = errors.New("chunk: corrupt")
)

// Appender builds one chunk. The zero value is not usable; call NewAppender.
type Appender struct {
	w        bitWriter
	n        int
	t        int64
	delta    uint64
	v        uint64 // bits of the last value
	leading  uint8  // the previous XOR window; leading == 0xff: none yet
	trailing uint8
	dec      decimal
}

// NewAppender returns an Appender for an empty chunk.
func NewAppender() *Appender {
	a := &Appender{leading: 0xff}
	a.w.b = make([]byte, headerSize, 128)
	a.w.b[0] = Format
	a.w.used = 8
	return a
}

// Len is the number of samples appended.
func (a *Appender) Len() int { return a.n }

// Append adds a sample at t (Unix milliseconds), which must be after the
// last one's. It returns ErrOrder or ErrFull and changes nothing otherwise.
func (a *Appender) Append(t int64, v float64) error {
	if a.n >= MaxSamples {
		return ErrFull
	}
	if a.n > 0 && t <= a.t {
		return fmt.Errorf("append at %d after %d: %w", t, a.t, ErrOrder)
	}
	vb := math.Float64bits(v)
	switch a.n {
	case 0:
		a.w.writeVarint(uint64(t<<1) ^ uint64(t>>63))
		a.w.writeBits(vb, 64)
	case 1:
		d := uint64(t) - uint64(a.t) // the exact positive difference, even across the int64 range
		a.w.writeVarint(d)
		a.writeValue(vb)
		a.delta = d
	default:
		d := uint64(t) - uint64(a.t)
		dod := int64(d - a.delta)
		switch {
		case dod == 0:
			a.w.writeBits(0, 1)
		case -64 <= dod && dod <= 63:
			a.w.writeBits(0b10, 2)
			a.w.writeBits(uint64(dod), 7)
		case -256 <= dod && dod <= 255:
			a.w.writeBits(0b110, 3)
			a.w.writeBits(uint64(dod), 9)
		case -2048 <= dod && dod <= 2047:
			a.w.writeBits(0b1110, 4)
			a.w.writeBits(uint64(dod), 12)
		case math.MinInt32 <= dod && dod <= math.MaxInt32:
			a.w.writeBits(0b11110, 5)
			a.w.writeBits(uint64(dod), 32)
		default:
			a.w.writeBits(0b11111, 5)
			a.w.writeBits(uint64(dod), 64)
		}
		a.writeValue(vb)
		a.delta = d
	}
	a.t, a.v = t, vb
	a.dec.update(v)
	a.n++
	a.w.b[1], a.w.b[2] = byte(a.n>>8), byte(a.n)
	return nil
}

func (a *Appender) writeValue(vb uint64) {
	x := vb ^ a.v
	if x == 0 {
		a.w.writeBits(0, 1)
		return
	}
	lead := uint8(bits.LeadingZeros64(x))
	trail := uint8(bits.TrailingZeros64(x))
	if lead > 31 {
		lead = 31
	}
	reuse := a.leading != 0xff && lead >= a.leading && trail >= a.trailing
	xorCost := 2 + 1 + 64 - int(a.leading) - int(a.trailing)
	if !reuse {
		xorCost = 2 + 1 + 11 + 64 - int(lead) - int(trail)
	}
	if a.dec.valid {
		if n, ok := exact(math.Float64frombits(vb), a.dec.scale); ok {
			dn := n - a.dec.n
			if class := decClass(dn); class >= 0 && 2+decWidth[class]+class+1 <= xorCost {
				a.w.writeBits(0b10, 2)
				a.w.writeBits(1<<uint(class+1)-2, class+1) // class 1s and a 0
				a.w.writeBits(uint64(dn), decWidth[class])
				return
			}
		}
	}
	a.w.writeBits(0b11, 2)
	if reuse {
		a.w.writeBits(0, 1)
		a.w.writeBits(x>>a.trailing, 64-int(a.leading)-int(a.trailing))
		return
	}
	a.leading, a.trailing = lead, trail
	sig := 64 - int(lead) - int(trail)
	a.w.writeBits(1, 1)
	a.w.writeBits(uint64(lead), 5)
	a.w.writeBits(uint64(sig&63), 6) // 64 is written as 0
	a.w.writeBits(x>>trail, sig)
}

// decWidth is the width of a decimal delta by class; the class is written
// as that many 1 bits and a 0.
var decWidth = [...]int{6, 13, 20, 32}

// decClass is the smallest class whose width holds dn, or -1.
func decClass(dn int64) int {
	for c, w := range decWidth {
		if -1<<uint(w-1) <= dn && dn < 1<<uint(w-1) {
			return c
		}
	}
	return -1
}

// maxScale is the most decimals a value is looked at with.
const maxScale = 6

var pow10 = [maxScale + 1]float64{1, 10, 100, 1e3, 1e4, 1e5, 1e6}

// exact returns n when v is exactly n / 10^scale as float64 division
// computes it (correctly rounded, as parsing the decimal text would),
// with |n| at most 2^53.
func exact(v float64, scale uint8) (int64, bool) {
	f := math.Round(v * pow10[scale])
	if !(math.Abs(f) <= 1<<53) {
		return 0, false
	}
	n := int64(f)
	if math.Float64bits(float64(n)/pow10[scale]) != math.Float64bits(v) {
		return 0, false
	}
	return n, true
}

// decimal is the value of the last sample as a scaled integer, which the
// writer and the reader both derive from the value alone.
type decimal struct {
	valid bool
	scale uint8
	n     int64
}

// update makes d describe v: at the smallest scale from d's own up, else
// from 0 up; invalid when v has more than maxScale decimals.
func (d *decimal) update(v float64) {
	from := uint8(0)
	if d.valid {
		from = d.scale
	}
	for i := range uint8(maxScale + 1) {
		s := (from + i) % (maxScale + 1)
		if n, ok := exact(v, s); ok {
			*d = decimal{valid: true, scale: s, n: n}
			return
		}
	}
	*d = decimal{}
}

// Bytes returns a copy of the chunk as appended so far.
func (a *Appender) Bytes() []byte {
	return append([]byte(nil), a.w.b...)
}

// Iterator reads the samples of a chunk, oldest first:
//
//	it := chunk.NewIterator(b)
//	for it.Next() {
//		t, v := it.At()
//	}
//	if err := it.Err(); err != nil { ... }
type Iterator struct {
	r        bitReader
	total    int
	i        int
	t        int64
	delta    uint64
	v        uint64
	leading  uint8
	trailing uint8
	dec      decimal
	done     bool
	err      error
}

// NewIterator returns an Iterator over the chunk b, which it does not copy
// or modify. A chunk that does not decode makes Next return false and Err
// an error wrapping ErrCorrupt.
func NewIterator(b []byte) *Iterator {
	it := &Iterator{leading: 0xff}
	switch {
	case len(b) < headerSize:
		it.err = fmt.Errorf("%w: %d bytes, shorter than the header", ErrCorrupt, len(b))
	case b[0] != Format:
		it.err = fmt.Errorf("%w: format %d, want %d", ErrCorrupt, b[0], Format)
	default:
		it.total = int(b[1])<<8 | int(b[2])
		it.r = bitReader{b: b, pos: headerSize * 8}
	}
	return it
}

// Next advances to the next sample and reports whether there is one.
func (it *Iterator) Next() bool {
	if it.err != nil || it.done {
		return false
	}
	if it.i >= it.total {
		it.done = true
		// Past the last sample only the padding of the last byte may remain.
		if end := (it.r.pos + 7) / 8; end != len(it.r.b) {
			it.err = fmt.Errorf("%w: %d bytes after the last of %d samples", ErrCorrupt, len(it.r.b)-end, it.total)
		} else if pad := it.r.pos & 7; pad != 0 && it.r.b[end-1]<<uint(pad) != 0 {
			it.err = fmt.Errorf("%w: padding bits after the last of %d samples are not zero", ErrCorrupt, it.total)
		}
		return false
	}
	if err := it.next(); err != nil {
		it.err = fmt.Errorf("%w: sample %d of %d: %w", ErrCorrupt, it.i, it.total, err)
		return false
	}
	it.i++
	return true
}

// At returns the current sample's time (Unix milliseconds) and value.
func (it *Iterator) At() (int64, float64) { return it.t, math.Float64frombits(it.v) }

// Err returns why iteration stopped early, or nil once every sample was read.
func (it *Iterator) Err() error { return it.err }

var errTruncated = errors.New("truncated")

func (it *Iterator) next() error {
	switch it.i {
	case 0:
		u, err := it.r.readVarint()
		if err != nil {
			return err
		}
		it.t = int64(u>>1) ^ -int64(u&1)
		if it.v, err = it.r.readBits(64); err != nil {
			return err
		}
		it.dec.update(math.Float64frombits(it.v))
		return nil
	case 1:
		d, err := it.r.readVarint()
		if err != nil {
			return err
		}
		if err := it.advance(d); err != nil {
			return err
		}
	default:
		var class int
		for class < 5 {
			b, err := it.r.readBits(1)
			if err != nil {
				return err
			}
			if b == 0 {
				break
			}
			class++
		}
		width := [...]int{0, 7, 9, 12, 32, 64}[class]
		var dod int64
		if width > 0 {
			u, err := it.r.readBits(width)
			if err != nil {
				return err
			}
			dod = int64(u<<(64-width)) >> (64 - width) // sign-extend
		}
		if err := it.advance(it.delta + uint64(dod)); err != nil {
			return err
		}
	}
	return it.readValue()
}

// advance moves the time on by d, which must keep it strictly increasing.
func (it *Iterator) advance(d uint64) error {
	t := int64(uint64(it.t) + d)
	if d == 0 || t <= it.t {
		return fmt.Errorf("time %d does not follow %d", t, it.t)
	}
	it.t, it.delta = t, d
	return nil
}

func (it *Iterator) readValue() error {
	if err := it.readValueBits(); err != nil {
		return err
	}
	it.dec.update(math.Float64frombits(it.v))
	return nil
}

func (it *Iterator) readValueBits() error {
	b, err := it.r.readBits(1)
	if err != nil || b == 0 {
		return err
	}
	if b, err = it.r.readBits(1); err != nil {
		return err
	}
	if b == 0 {
		return it.readDecimal()
	}
	if b, err = it.r.readBits(1); err != nil {
		return err
	}
	if b == 1 {
		h, err := it.r.readBits(11)
		if err != nil {
			return err
		}
		lead, sig := uint8(h>>6), uint8(h&63)
		if sig == 0 {
			sig = 64
		}
		if int(lead)+int(sig) > 64 {
			return fmt.Errorf("value window of %d leading and %d meaningful bits", lead, sig)
		}
		it.leading, it.trailing = lead, 64-lead-sig
	} else if it.leading == 0xff {
		// A writer never reuses a window it has not written.
		return errors.New("value reuses a window never set")
	}
	sig := 64 - int(it.leading) - int(it.trailing)
	x, err := it.r.readBits(sig)
	if err != nil {
		return err
	}
	it.v ^= x << it.trailing
	return nil
}

func (it *Iterator) readDecimal() error {
	if !it.dec.valid {
		return errors.New("decimal delta after a value that is not a short decimal")
	}
	class := 0
	for ; class < len(decWidth); class++ {
		b, err := it.r.readBits(1)
		if err != nil {
			return err
		}
		if b == 0 {
			break
		}
	}
	if class == len(decWidth) {
		return errors.New("decimal delta class out of range")
	}
	w := decWidth[class]
	u, err := it.r.readBits(w)
	if err != nil {
		return err
	}
	n := it.dec.n + int64(u<<(64-w))>>(64-w)
	if n < -1<<53 || n > 1<<53 {
		return fmt.Errorf("decimal %d out of range", n)
	}
	it.v = math.Float64bits(float64(n) / pow10[it.dec.scale])
	return nil
}

// bitWriter appends bits to b; used is how many bits of b's last byte are
// taken (8 when full).
type bitWriter struct {
	b    []byte
	used uint
}

// writeBits writes the low n bits of u, most significant first.
func (w *bitWriter) writeBits(u uint64, n int) {
	if n < 64 {
		u &= 1<<uint(n) - 1
	}
	for n > 0 {
		if w.used == 8 {
			w.b = append(w.b, 0)
			w.used = 0
		}
		free := int(8 - w.used)
		take := min(free, n)
		chunk := byte(u >> uint(n-take) & (1<<uint(take) - 1))
		w.b[len(w.b)-1] |= chunk << uint(free-take)
		w.used += uint(take)
		n -= take
	}
}

func (w *bitWriter) writeVarint(u uint64) {
	for u >= 0x80 {
		w.writeBits(u&0x7f|0x80, 8)
		u >>= 7
	}
	w.writeBits(u, 8)
}

type bitReader struct {
	b   []byte
	pos int // in bits
}

func (r *bitReader) readBits(n int) (uint64, error) {
	if r.pos+n > len(r.b)*8 {
		return 0, errTruncated
	}
	var u uint64
	for n > 0 {
		off := r.pos & 7
		take := min(8-off, n)
		by := r.b[r.pos>>3] << uint(off) >> uint(8-take)
		u = u<<uint(take) | uint64(by)
		r.pos += take
		n -= take
	}
	return u, nil
}

func (r *bitReader) readVarint() (uint64, error) {
	var u uint64
	for shift := uint(0); shift < 70; shift += 7 {
		b, err := r.readBits(8)
		if err != nil {
			return 0, err
		}
		if shift == 63 && b > 1 {
			return 0, errors.New("varint overflows 64 bits")
		}
		u |= (b & 0x7f) << shift
		if b < 0x80 {
			return u, nil
		}
	}
	return 0, errors.New("varint overflows 64 bits")
}
