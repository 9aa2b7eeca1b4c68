package main

import (
	"context"
	"fmt"

	"github.com/orgnotify/orgnotify/internal/schemadoc"
	"github.com/orgnotify/orgnotify/schema"
)

// runSchemaDoc prints the configuration reference generated from the
// embedded schemas: the text README.md carries between its schema-doc
// markers (a test in internal/schemadoc keeps the two equal).
func runSchemaDoc(_ context.Context, args []string, std stdio, _ env) error {
	fs := newFlags("schema-doc", std)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"schema-doc takes no arguments"}
	}
	md, err := schemadoc.Render(schema.Org(), schema.Account())
	if err != nil {
		return fmt.Errorf("render schema reference: %w", err)
	}
	_, err = fmt.Fprint(std.out, md)
	return err
}
