// Package github is how `orgnotify validate` answers on a pull request:
// workflow-command annotations on the offending lines, the job summary, and
// one sticky pull-request comment (created once, then edited) rendered from
// an embedded template. It also reads the GitHub Actions environment.
//
// The package is named for what it talks to; it imports go-github as gogithub.
package github
