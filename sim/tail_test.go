package sim

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"testing/synctest"
	"time"
)

// tailView is what a subscriber keeps of the timeline from its batches: a full subscriber
// replaces it at a Reset, a tail subscriber (SubscribeRecordsTail) keeps the records up to
// Kept and before the Reset's first record, and appends the Reset's.
type tailView struct {
	sub  *Subscription
	tail bool
	recs []Record
	last uint64 // Batch.Last of the latest Reset
	// resetRecs counts the records Resets after the first batch carried
	resetRecs *int
	begun     bool
}

func (v *tailView) takeAll(t *testing.T) {
	t.Helper()
	for b, ok := v.sub.Take(); ok; b, ok = v.sub.Take() {
		if b.Reset {
			if v.begun {
				*v.resetRecs += len(b.Records)
			}
			v.last = b.Last
			if b.Tail && (!v.tail || !v.begun) {
				t.Fatalf("a Reset marked Tail to a full subscriber or as the first batch")
			}
			if b.Tail && len(b.Records) > 0 && b.Records[0].Seq <= b.Kept {
				t.Fatalf("a Tail Reset carries seq %d, not after Kept %d", b.Records[0].Seq, b.Kept)
			}
			if !v.tail {
				v.recs = v.recs[:0]
			} else {
				upto := b.Kept // what it kept, and before the Reset's first record
				if len(b.Records) > 0 {
					upto = min(upto, b.Records[0].Seq-1)
				}
				keep := v.recs[:0]
				for _, r := range v.recs {
					if r.Seq <= upto {
						keep = append(keep, r)
					}
				}
				v.recs = keep
			}
		}
		v.recs = append(v.recs, b.Records...)
		v.begun = true
	}
}

// TestTailSubscriberKeepsWhatItHas: at random points of random sessions (inputs, rewinds,
// undos, restarts, loads, the subscribers taking at their own rates), a tail subscriber's
// records, trimmed to each Reset's Kept with the Reset's records appended, are the whole
// history a full subscriber gets; and its Resets after the first carry fewer records.
func TestTailSubscriberKeepsWhatItHas(t *testing.T) {
	for seed := range uint64(12) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rng := rand.New(rand.NewPCG(seed, 7))
				d := liveDriver(t)
				full := &tailView{sub: d.SubscribeRecords()}
				tail := &tailView{sub: d.SubscribeRecordsTail(), tail: true}
				var fullN, tailN int // records carried by Resets after the first batch
				count := func(v *tailView, n *int) { v.resetRecs = n; v.takeAll(t) }
				count(full, new(int))
				count(tail, new(int))
				for i := range 60 {
					switch rng.IntN(7) {
					case 0, 1:
						d.Do(Input{Kind: InArmFault, Fault: &FaultRule{Name: fmt.Sprint("f", i), Kind: FaultToken, Mode: "missing"}})
					case 2:
						d.Do(Input{Kind: InInvite, Call: "huddle", Invitees: []InviteeSpec{{Name: "heidi"}}})
						time.Sleep(time.Duration(rng.IntN(4000)) * time.Millisecond)
						synctest.Wait()
					case 3:
						d.Undo()
					case 4:
						d.Back()
					case 5:
						if rng.IntN(4) == 0 {
							if rng.IntN(2) == 0 {
								d.Restart()
							} else if err := d.Load(recordingBuilder); err != nil {
								t.Fatal(err)
							}
						} else {
							d.SetPaused(false)
							time.Sleep(time.Second)
							synctest.Wait()
						}
					case 6:
						d.Back()
						d.Back()
					}
					if rng.IntN(2) == 0 {
						count(full, &fullN)
					}
					if rng.IntN(3) == 0 {
						count(tail, &tailN)
					}
				}
				// a load (its Reset keeps nothing) taken on its own, then more rebuilds, each
				// after new records, than a subscriber keeps waiting
				if err := d.Load(recordingBuilder); err != nil {
					t.Fatal(err)
				}
				count(tail, &tailN)
				for i := range maxQueued + 3 {
					d.Do(Input{Kind: InArmFault, Fault: &FaultRule{Name: fmt.Sprint("g", i), Kind: FaultToken, Mode: "missing"}})
					count(full, &fullN)
					d.Do(Input{Kind: InArmFault, Fault: &FaultRule{Name: fmt.Sprint("h", i), Kind: FaultToken, Mode: "missing"}})
					d.Undo()
				}
				d.SetPaused(true)
				count(full, &fullN)
				count(tail, &tailN)
				// a late subscriber's first batch, after rebuilds, is the whole history
				late := &tailView{sub: d.SubscribeRecordsTail(), tail: true}
				count(late, new(int))
				if len(late.recs) != len(full.recs) {
					t.Fatalf("a late tail subscriber holds %d records, the full one %d", len(late.recs), len(full.recs))
				}
				if len(tail.recs) != len(full.recs) {
					t.Fatalf("the tail subscriber holds %d records, the full one %d", len(tail.recs), len(full.recs))
				}
				for i := range full.recs {
					if tail.recs[i].Seq != full.recs[i].Seq || tail.recs[i].Type != full.recs[i].Type || tail.recs[i].Event != full.recs[i].Event {
						t.Fatalf("record %d: tail has seq %d %s %s, full %d %s %s", i, tail.recs[i].Seq, tail.recs[i].Type, tail.recs[i].Event,
							full.recs[i].Seq, full.recs[i].Type, full.recs[i].Event)
					}
				}
				if n := len(full.recs); n > 0 && tail.last > full.recs[n-1].Seq {
					t.Fatalf("Last %d past the history's last record %d", tail.last, full.recs[n-1].Seq)
				}
				if fullN > 0 && tailN >= fullN {
					t.Fatalf("Resets carried %d records to the tail subscriber, %d to the full one", tailN, fullN)
				}
			})
		})
	}
}

// recordingBuilder is liveBuilder whose world has records at time zero (a load's Reset
// carries them: it keeps nothing of the world before).
func recordingBuilder() (*Engine, Script, error) {
	e := New(Config{Seed: 3})
	e.AddIdentity(Identity{Name: "heidi", DisplayName: "Heidi Steen", Behaviour: Behaviour{Kind: BehaviourAnswer, AnswerAfter: 2 * time.Second}})
	if r := e.Apply(Input{Kind: InSetupCall, Setup: &CallSetup{Name: "huddle", Kind: Group}}); r.Err != nil {
		return nil, nil, r.Err
	}
	return e, nil, nil
}

// TestResetRebuiltMarksNewRecords: a rebuild's Reset not taken yet, then new inputs: the
// merged batch is one Reset, and its Rebuilt seq splits the replayed records (up to it) from
// the ones made after the rebuild (serve delivers those: a notification made right after an
// undo was lost when the webhook consumer was busy).
func TestResetRebuiltMarksNewRecords(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := liveDriver(t)
		sub := d.SubscribeRecordsTail()
		sub.Take()
		d.Do(Input{Kind: InInvite, Call: "huddle", Invitees: []InviteeSpec{{Name: "heidi"}}})
		d.Do(Input{Kind: InArmFault, Fault: &FaultRule{Name: "f1", Kind: FaultToken, Mode: "missing"}})
		if _, ok := sub.Take(); !ok {
			t.Fatal("no batch after two inputs")
		}
		d.Undo() // the fault goes; the invite's records are replayed
		d.Do(Input{Kind: InArmFault, Fault: &FaultRule{Name: "f2", Kind: FaultToken, Mode: "missing"}})
		b, ok := sub.Take()
		if !ok || !b.Reset {
			t.Fatalf("want one merged Reset batch, got ok=%v reset=%v", ok, b.Reset)
		}
		if b.Rebuilt == 0 || b.Rebuilt >= b.Last {
			t.Fatalf("Rebuilt %d, Last %d: want the rebuild's last seq, before the new records", b.Rebuilt, b.Last)
		}
		var after []Record
		for _, r := range b.Records {
			if r.Seq > b.Rebuilt {
				after = append(after, r)
			}
		}
		if len(after) == 0 || after[len(after)-1].Seq != b.Last {
			t.Fatalf("records after Rebuilt %d: %d, want the new input's, up to Last %d", b.Rebuilt, len(after), b.Last)
		}
		for _, r := range after {
			if r.Type == RecFault && r.Name == "f1" {
				t.Fatalf("the undone fault f1 is among the new records: %+v", r)
			}
		}
	})
}
