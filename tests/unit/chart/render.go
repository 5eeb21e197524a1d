// Command render renders charts/ferrum the way `helm template` does, for tests on machines
// without helm (Debian bookworm has no helm package).
//
// Usage: render -chart DIR [-values FILE]... [-release NAME] [-namespace NS] [-notes FILE]
//
// It uses Go's text/template (the engine Helm itself uses) with the part of Helm's function
// set the chart is allowed to use (templates/_helpers.tpl lists it). Differences from Helm are
// on the strict side: a missing map key is an error (Helm prints nothing, hiding typos in value
// paths), and a function outside the subset fails to parse. Values are decoded the way Helm
// decodes them: every number becomes a float64, so a template printing a large integer without
// int64 renders 1e+09 here exactly as it would under Helm.
//
// The manifests go to stdout as one YAML stream, each document preceded by
// "# Source: <chart>/templates/<file>"; NOTES.txt goes to -notes.
//
// Build: GOPATH=/usr/share/gocode GO111MODULE=off go build render.go (Debian's golang-go and
// golang-gopkg-yaml.v3-dev; no network).
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"gopkg.in/yaml.v3"
)

type valueFiles []string

func (v *valueFiles) String() string     { return strings.Join(*v, ",") }
func (v *valueFiles) Set(s string) error { *v = append(*v, s); return nil }

func main() {
	chartDir := flag.String("chart", "", "chart directory")
	release := flag.String("release", "ferrum", "release name")
	namespace := flag.String("namespace", "ferrum-system", "release namespace")
	notes := flag.String("notes", "", "write the rendered NOTES.txt here")
	var overrides valueFiles
	flag.Var(&overrides, "values", "values file merged over the chart's values.yaml (repeatable)")
	flag.Parse()
	if *chartDir == "" {
		fmt.Fprintln(os.Stderr, "render: -chart is required")
		os.Exit(2)
	}
	out, notesText, err := render(*chartDir, overrides, *release, *namespace)
	if err != nil {
		fmt.Fprintln(os.Stderr, "render:", err)
		os.Exit(1)
	}
	os.Stdout.WriteString(out)
	if *notes != "" {
		if err := os.WriteFile(*notes, []byte(notesText), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "render:", err)
			os.Exit(1)
		}
	}
}

func readYAML(path string) (map[string]interface{}, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m map[string]interface{}
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if m == nil {
		m = map[string]interface{}{}
	}
	return m, nil
}

// helmNumbers turns every integer into a float64, as Helm's JSON round trip of values does.
func helmNumbers(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		for k, e := range t {
			t[k] = helmNumbers(e)
		}
		return t
	case []interface{}:
		for i, e := range t {
			t[i] = helmNumbers(e)
		}
		return t
	case int:
		return float64(t)
	case int64:
		return float64(t)
	case uint64:
		return float64(t)
	}
	return v
}

// mergeValues merges src over dst as Helm does: maps merge key by key, anything else replaces,
// and null removes the key.
func mergeValues(dst, src map[string]interface{}) {
	for k, sv := range src {
		if sv == nil {
			delete(dst, k)
			continue
		}
		sm, sIsMap := sv.(map[string]interface{})
		dm, dIsMap := dst[k].(map[string]interface{})
		if sIsMap && dIsMap {
			mergeValues(dm, sm)
		} else {
			dst[k] = sv
		}
	}
}

func render(chartDir string, overrides []string, release, namespace string) (string, string, error) {
	chartMeta, err := readYAML(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		return "", "", err
	}
	values, err := readYAML(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		return "", "", err
	}
	for _, f := range overrides {
		o, err := readYAML(f)
		if err != nil {
			return "", "", err
		}
		mergeValues(values, o)
	}
	helmNumbers(values)

	str := func(k string) string { s, _ := chartMeta[k].(string); return s }
	top := map[string]interface{}{
		"Values": values,
		"Release": map[string]interface{}{
			"Name": release, "Namespace": namespace, "Service": "Helm",
			"IsInstall": true, "IsUpgrade": false, "Revision": 1,
		},
		"Chart": map[string]interface{}{
			"Name": str("name"), "Version": str("version"), "AppVersion": str("appVersion"),
		},
	}

	files, err := filepath.Glob(filepath.Join(chartDir, "templates", "*"))
	if err != nil {
		return "", "", err
	}
	sort.Strings(files)
	chartName := str("name")
	root := template.New(chartName).Option("missingkey=error")
	root.Funcs(funcMap(root))
	var names []string
	for _, f := range files {
		base := filepath.Base(f)
		if !(strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".tpl") || base == "NOTES.txt") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return "", "", err
		}
		name := chartName + "/templates/" + base
		if _, err := root.New(name).Parse(string(data)); err != nil {
			return "", "", err
		}
		names = append(names, name)
	}

	var out strings.Builder
	notes := ""
	for _, name := range names {
		base := filepath.Base(name)
		if strings.HasPrefix(base, "_") {
			continue
		}
		var buf bytes.Buffer
		if err := root.ExecuteTemplate(&buf, name, top); err != nil {
			return "", "", err
		}
		if base == "NOTES.txt" {
			notes = buf.String()
			continue
		}
		if strings.TrimSpace(buf.String()) == "" {
			continue
		}
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", name, strings.TrimLeft(buf.String(), "\n"))
	}
	return out.String(), notes, nil
}

func funcMap(root *template.Template) template.FuncMap {
	includeDepth := 0
	return template.FuncMap{
		"include": func(name string, data interface{}) (string, error) {
			includeDepth++
			defer func() { includeDepth-- }()
			if includeDepth > 100 {
				return "", fmt.Errorf("include %q: nested too deeply", name)
			}
			var buf bytes.Buffer
			if err := root.ExecuteTemplate(&buf, name, data); err != nil {
				return "", err
			}
			return buf.String(), nil
		},
		"required": func(msg string, v interface{}) (interface{}, error) {
			if v == nil {
				return nil, errors.New(msg)
			}
			if s, ok := v.(string); ok && s == "" {
				return nil, errors.New(msg)
			}
			return v, nil
		},
		"fail":    func(msg string) (string, error) { return "", errors.New(msg) },
		"default": func(d interface{}, given ...interface{}) interface{} {
			if len(given) == 0 || empty(given[0]) {
				return d
			}
			return given[0]
		},
		"empty": empty,
		"quote": func(args ...interface{}) string {
			var parts []string
			for _, a := range args {
				if a != nil {
					parts = append(parts, strconv.Quote(toString(a)))
				}
			}
			return strings.Join(parts, " ")
		},
		"toString": toString,
		"toYaml": func(v interface{}) (string, error) {
			var buf bytes.Buffer
			enc := yaml.NewEncoder(&buf)
			enc.SetIndent(2)
			if err := enc.Encode(v); err != nil {
				return "", err
			}
			enc.Close()
			return strings.TrimSuffix(buf.String(), "\n"), nil
		},
		"indent": func(n int, s string) string {
			pad := strings.Repeat(" ", n)
			return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
		},
		"nindent": func(n int, s string) string {
			pad := strings.Repeat(" ", n)
			return "\n" + pad + strings.ReplaceAll(s, "\n", "\n"+pad)
		},
		"dict": func(kv ...interface{}) (map[string]interface{}, error) {
			if len(kv)%2 != 0 {
				return nil, errors.New("dict: odd number of arguments")
			}
			m := map[string]interface{}{}
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		"list":  func(v ...interface{}) []interface{} { return append([]interface{}{}, v...) },
		"int":   func(v interface{}) (int, error) { n, err := toInt64(v); return int(n), err },
		"int64": toInt64,
		"join": func(sep string, v interface{}) (string, error) {
			rv := reflect.ValueOf(v)
			if v == nil {
				return "", nil
			}
			if rv.Kind() != reflect.Slice {
				return "", fmt.Errorf("join: %T is not a list", v)
			}
			var parts []string
			for i := 0; i < rv.Len(); i++ {
				parts = append(parts, toString(rv.Index(i).Interface()))
			}
			return strings.Join(parts, sep), nil
		},
		"split": func(sep, s string) map[string]string {
			m := map[string]string{}
			for i, p := range strings.Split(s, sep) {
				m["_"+strconv.Itoa(i)] = p
			}
			// Helm's split gives a map; a missing part reads as "" there, so do the same here
			// for the first two (the only ones the chart reads) despite missingkey=error.
			for _, k := range []string{"_0", "_1"} {
				if _, ok := m[k]; !ok {
					m[k] = ""
				}
			}
			return m
		},
		"trimSuffix": func(suffix, s string) string { return strings.TrimSuffix(s, suffix) },
	}
}

func empty(v interface{}) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return rv.Len() == 0
	case reflect.Bool:
		return !rv.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return rv.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return rv.Float() == 0
	case reflect.Ptr, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

func toString(v interface{}) string {
	switch t := v.(type) {
	case string:
		return t
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(t, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

func toInt64(v interface{}) (int64, error) {
	switch t := v.(type) {
	case float64:
		return int64(t), nil
	case int:
		return int64(t), nil
	case int64:
		return t, nil
	case string:
		return strconv.ParseInt(t, 10, 64)
	case nil:
		return 0, nil
	}
	return 0, fmt.Errorf("int64: cannot convert %T", v)
}
