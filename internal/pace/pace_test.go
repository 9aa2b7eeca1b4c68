package pace

import (
	"context"
	"testing"
	"time"
)

// Slots are booked per key: a second call on the same key is booked one
// interval after the first, another key is not held back.
func TestWaitBooksSlotsPerKey(t *testing.T) {
	p := New(time.Hour)
	ctx := context.Background()
	if err := p.Wait(ctx, "C1"); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(ctx, "C2"); err != nil {
		t.Fatalf("another key waited: %v", err)
	}
	if d := time.Until(p.next["C1"]); d < 59*time.Minute {
		t.Errorf("C1's next slot in %v, want about an hour", d)
	}
	short, cancel := context.WithCancel(ctx)
	cancel()
	if err := p.Wait(short, "C1"); err != context.Canceled {
		t.Errorf("Wait on a booked key with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestRetryPushesTheSlotBack(t *testing.T) {
	p := New(time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Retry(ctx, "C1", time.Hour); err != context.Canceled {
		t.Errorf("Retry = %v, want context.Canceled", err)
	}
	if d := time.Until(p.next["C1"]); d < 59*time.Minute {
		t.Errorf("next slot in %v after a Retry-After of an hour", d)
	}
}

func TestNilPacerNeverWaits(t *testing.T) {
	var p *Pacer
	if err := p.Wait(context.Background(), "x"); err != nil {
		t.Fatal(err)
	}
}
