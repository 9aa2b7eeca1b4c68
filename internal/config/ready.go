package config

import (
	"context"
	"errors"

	"github.com/orgnotify/orgnotify/internal/findings"
)

// ErrInvalid is returned by Load when the configuration has error
// findings. It is a user's failure, not the tool's: callers print the
// findings and exit 1.
var ErrInvalid = errors.New("the configuration has errors")

// Model is a configuration that validated without a single error finding:
// org.yaml and every file in accounts/, with defaults applied. It is the
// only form of the configuration the code that acts on AWS or posts to
// Slack may read, because only here is a missing account certain to be an
// account that was removed, not a file that failed to parse.
type Model struct {
	Org      *Org       // never nil
	Accounts []*Account // every account file, sorted by name; never empty
	Files    int        // files validated (org.yaml included)
}

// Load validates the whole repository at root and returns its Model. It
// returns a nil Model and an error wrapping ErrInvalid when any finding is
// an error; the findings are returned either way (warnings alone do not
// stop it). Other errors are the tool's or the machine's (root missing, a
// cancelled context).
//
// Load never narrows validation to some files, as Options.Files does: an
// account that is not read must never look like an account that is gone.
func Load(ctx context.Context, root string) (*Model, []findings.Finding, error) {
	res, err := Validate(ctx, Options{Root: root})
	if err != nil {
		return nil, nil, err
	}
	// The second and third conditions hold whenever the first does; they
	// are checked again because the price of being wrong is deleting an
	// organization's alerting.
	if findings.Errors(res.Findings) > 0 || res.Org == nil || len(res.Accounts) == 0 {
		return nil, res.Findings, ErrInvalid
	}
	return &Model{Org: res.Org, Accounts: res.Accounts, Files: res.Files}, res.Findings, nil
}
