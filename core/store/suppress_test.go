package store

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestAcks(t *testing.T) {
	s := openTest(t, Options{Now: fixedClock(t0)})
	ctx := testCtx(t)
	a1, err := s.AddAck(ctx, Ack{CheckID: "web", Author: "kari", Comment: "looking at it", Sticky: true})
	if err != nil {
		t.Fatal(err)
	}
	a2, err := s.AddAck(ctx, Ack{CheckID: "db", Author: "ola", Comment: "", Created: t0.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	want1 := Ack{ID: a1.ID, CheckID: "web", Author: "kari", Comment: "looking at it", Sticky: true, Created: t0}
	want2 := Ack{ID: a2.ID, CheckID: "db", Author: "ola", Created: t0.Add(time.Minute)}
	if !reflect.DeepEqual(a1, want1) || !reflect.DeepEqual(a2, want2) {
		t.Fatalf("AddAck returned %+v and %+v", a1, a2)
	}
	if err := s.CancelAck(ctx, a1.ID, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	cancelled := want1
	cancelled.Cancelled = t0.Add(time.Hour)

	tests := []struct {
		name string
		f    Filter
		want []Ack
	}{
		{"all", Filter{}, []Ack{cancelled, want2}},
		{"one check", Filter{CheckID: "web"}, []Ack{cancelled}},
		{"active", Filter{ActiveAt: t0.Add(2 * time.Hour)}, []Ack{want2}},
		{"active for a check with none", Filter{CheckID: "web", ActiveAt: t0}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Acks(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
	if err := s.CancelAck(ctx, a1.ID, t0.Add(2*time.Hour)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("cancelling a cancelled ack: %v, want ErrNotFound", err)
	}
	if err := s.CancelAck(ctx, 999, t0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("cancelling an unknown ack: %v, want ErrNotFound", err)
	}
}

func TestDowntimes(t *testing.T) {
	s := openTest(t, Options{Now: fixedClock(t0)})
	ctx := testCtx(t)
	fixed, err := s.AddDowntime(ctx, Downtime{CheckID: "web", Author: "kari", Comment: "patching",
		Start: t0, End: t0.Add(2 * time.Hour), Fixed: true})
	if err != nil {
		t.Fatal(err)
	}
	flex, err := s.AddDowntime(ctx, Downtime{CheckID: "db", Author: "ola", Comment: "maybe a reboot",
		Start: t0, End: t0.Add(4 * time.Hour), Duration: 30 * time.Minute, Created: t0.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := s.AddDowntime(ctx, Downtime{CheckID: "web", Author: "kari", Start: t0.Add(time.Hour), End: t0.Add(3 * time.Hour), Fixed: true})
	if err != nil {
		t.Fatal(err)
	}
	wantFixed := Downtime{ID: fixed.ID, CheckID: "web", Author: "kari", Comment: "patching", Start: t0, End: t0.Add(2 * time.Hour),
		Duration: 2 * time.Hour, Fixed: true, Created: t0}
	if !reflect.DeepEqual(fixed, wantFixed) {
		t.Fatalf("fixed downtime = %+v, want %+v", fixed, wantFixed)
	}
	if err := s.TriggerDowntime(ctx, flex.ID, t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.TriggerDowntime(ctx, flex.ID, t0.Add(3*time.Hour)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("triggering twice: %v, want ErrNotFound", err)
	}
	if err := s.TriggerDowntime(ctx, fixed.ID, t0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("triggering a fixed downtime: %v, want ErrNotFound", err)
	}
	if err := s.CancelDowntime(ctx, gone.ID, t0.Add(30*time.Minute)); err != nil {
		t.Fatal(err)
	}
	wantFlex := Downtime{ID: flex.ID, CheckID: "db", Author: "ola", Comment: "maybe a reboot", Start: t0, End: t0.Add(4 * time.Hour),
		Duration: 30 * time.Minute, Triggered: t0.Add(3 * time.Hour), Created: t0.Add(-time.Hour)}
	wantGone := Downtime{ID: gone.ID, CheckID: "web", Author: "kari", Start: t0.Add(time.Hour), End: t0.Add(3 * time.Hour),
		Duration: 2 * time.Hour, Fixed: true, Created: t0, Cancelled: t0.Add(30 * time.Minute)}

	tests := []struct {
		name string
		f    Filter
		want []Downtime
	}{
		{"all", Filter{}, []Downtime{wantFixed, wantFlex, wantGone}},
		{"one check", Filter{CheckID: "db"}, []Downtime{wantFlex}},
		{"active at start: cancelled one left out", Filter{ActiveAt: t0}, []Downtime{wantFixed, wantFlex}},
		{"fixed window over at its end", Filter{ActiveAt: t0.Add(2 * time.Hour)}, []Downtime{wantFlex}},
		{"triggered flexible lasts its duration", Filter{ActiveAt: t0.Add(3*time.Hour + 29*time.Minute)}, []Downtime{wantFlex}},
		{"triggered flexible over after its duration", Filter{ActiveAt: t0.Add(3*time.Hour + 30*time.Minute)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Downtimes(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestAcksAndDowntimesInvalid(t *testing.T) {
	s := openTest(t, Options{Now: fixedClock(t0)})
	ctx := testCtx(t)
	acks := []struct {
		name string
		a    Ack
		want string
	}{
		{"empty check id", Ack{Author: "kari"}, "check id is empty"},
		{"no author", Ack{CheckID: "web"}, "author is empty"},
		{"created before 1970", Ack{CheckID: "web", Author: "kari", Created: time.Unix(-10, 0)}, "created"},
	}
	for _, tt := range acks {
		t.Run("ack "+tt.name, func(t *testing.T) {
			if _, err := s.AddAck(ctx, tt.a); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("AddAck = %v, want ErrInvalid mentioning %q", err, tt.want)
			}
		})
	}
	dts := []struct {
		name string
		d    Downtime
		want string
	}{
		{"empty check id", Downtime{Author: "k", Start: t0, End: t0.Add(time.Hour), Fixed: true}, "check id is empty"},
		{"no start", Downtime{CheckID: "w", Author: "k", End: t0.Add(time.Hour), Fixed: true}, "start is not set"},
		{"end before start", Downtime{CheckID: "w", Author: "k", Start: t0, End: t0.Add(-time.Hour), Fixed: true}, "is not after start"},
		{"end equals start", Downtime{CheckID: "w", Author: "k", Start: t0, End: t0, Fixed: true}, "is not after start"},
		{"flexible without duration", Downtime{CheckID: "w", Author: "k", Start: t0, End: t0.Add(time.Hour)}, "positive duration"},
		{"negative duration", Downtime{CheckID: "w", Author: "k", Start: t0, End: t0.Add(time.Hour), Duration: -time.Minute}, "positive duration"},
	}
	for _, tt := range dts {
		t.Run("downtime "+tt.name, func(t *testing.T) {
			if _, err := s.AddDowntime(ctx, tt.d); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("AddDowntime = %v, want ErrInvalid mentioning %q", err, tt.want)
			}
		})
	}
	if n := count(t, s, "acks") + count(t, s, "downtimes"); n != 0 {
		t.Fatalf("%d rows stored after only invalid input", n)
	}
	if _, err := s.Acks(ctx, Filter{CheckID: "\x00"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Acks with a NUL check id = %v, want ErrInvalid", err)
	}
	if err := s.CancelDowntime(ctx, 1, time.Time{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("CancelDowntime without a time = %v, want ErrInvalid", err)
	}
}
