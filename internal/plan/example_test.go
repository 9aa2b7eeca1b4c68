package plan_test

import (
	"fmt"
	"os"

	"github.com/orgnotify/orgnotify/internal/desired"
	"github.com/orgnotify/orgnotify/internal/plan"
)

func ExampleCompute() {
	id := desired.ID{Account: "345678901234", Region: "us-east-1", Kind: desired.EventRule, Name: "orgnotify-fwd-stackfailures"}
	want := []desired.Resource{{
		ID: id,
		Settings: map[string]string{
			desired.SetEventPattern: `{"source":["aws.cloudformation"]}`,
			desired.SetState:        "ENABLED",
		},
		Tags: map[string]string{"orgnotify": "managed"},
	}}
	// As observed: the same pattern written differently, the rule
	// disabled by hand, and a tag someone else added.
	have := []desired.Resource{{
		ID: id,
		Settings: map[string]string{
			desired.SetEventPattern: `{ "source": [ "aws.cloudformation" ] }`,
			desired.SetState:        "DISABLED",
		},
		Tags: map[string]string{"orgnotify": "managed", "team": "platform"},
		Ref:  "arn:aws:events:us-east-1:345678901234:rule/orgnotify-fwd-stackfailures",
	}}

	p := plan.Compute(want, have)
	if err := plan.WriteText(os.Stdout, p, plan.TextOptions{}); err != nil {
		fmt.Println(err)
	}
	fmt.Println(p.Changes[0].Current.Ref)
	// Output:
	// ~ events.rule 345678901234/us-east-1 orgnotify-fwd-stackfailures
	//     ~ State = "DISABLED" -> "ENABLED"
	//
	// Plan: 0 to create, 1 to update, 0 to delete, 0 conflicts.
	// arn:aws:events:us-east-1:345678901234:rule/orgnotify-fwd-stackfailures
}
