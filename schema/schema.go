// Package schema embeds the JSON Schemas that are the contract of
// orgnotify's configuration: org.schema.json for org.yaml and
// account.schema.json for accounts/<name>.yaml. The binary validates with
// these embedded copies, never with the files in the repository being
// validated. That alone does not protect a pull request's check, since a
// binary built from the pull request embeds its edits: the validate
// workflow builds orgnotify from the base commit (.ci/validate-pr.sh).
package schema

import "embed"

// FS holds every *.schema.json file of this directory.
//
//go:embed *.schema.json
var FS embed.FS

// File names inside FS, also the names the yaml-language-server comments
// at the top of each YAML file point to.
const (
	OrgFile     = "org.schema.json"
	AccountFile = "account.schema.json"
)

// Org returns the org.yaml schema document.
func Org() []byte { return mustRead(OrgFile) }

// Account returns the accounts/<name>.yaml schema document.
func Account() []byte { return mustRead(AccountFile) }

func mustRead(name string) []byte {
	b, err := FS.ReadFile(name)
	if err != nil {
		// Unreachable: the go:embed pattern guarantees the files exist at
		// build time, and schema_test.go checks both names.
		panic("schema: embedded " + name + " missing: " + err.Error())
	}
	return b
}
