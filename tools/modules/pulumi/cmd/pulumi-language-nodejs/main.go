// Command pulumi-language-nodejs is a minimal Pulumi language host for Node.js programs and policy packs.
//
// Why it exists: the upstream host lives in its own module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) that has no tagged versions, and the
// Go module proxy this project can reach serves none of its pseudo-versions, so it cannot be built from a
// module path. This host is written for this repo against the published github.com/pulumi/pulumi/sdk/v3
// module (the same gRPC protocol, and the same helpers for plugin streams and policy packs). It covers what
// the CLI needs to run a program (`pulumi preview|up|destroy`) and a policy pack (`--policy-pack`):
//
//   - Handshake, GetPluginInfo, GetRequiredPackages (scans node_modules for Pulumi resource packages),
//   - Run: starts `node @pulumi/pulumi/cmd/run` against the engine's resource monitor,
//   - RunPlugin: starts `node @pulumi/pulumi/cmd/run-policy-pack` (kind analyzer) or `cmd/run-plugin`,
//   - About, GetProgramDependencies, Cancel.
//
// Everything else (InstallDependencies, code generation, Pack, Link, ...) answers Unimplemented, which the CLI
// treats as an older host. Install dependencies with npm yourself before `pulumi up`.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/google/shlex"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	"github.com/pulumi/pulumi/sdk/v3/nodejs/npm"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// exitCodeUserActionable is what @pulumi/pulumi/cmd/run exits with after it already printed an actionable
// message: the host then asks the engine to bail without adding another error.
const exitCodeUserActionable = 32

func main() {
	showVersion := flag.Bool("version", false, "print the plugin version and exit")
	tracing := flag.String("tracing", "", "tracing endpoint, passed on to the Node.js program")
	runtimeName := flag.String("runtime", "nodejs", "runtime (only nodejs is supported)")
	flag.Parse()
	if *showVersion {
		fmt.Println(version.Version)
		return
	}
	if *runtimeName != "nodejs" {
		fatalf("unsupported runtime %q (this host supports nodejs only)", *runtimeName)
	}

	var engineAddress string
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cancelServe := make(chan bool)
	go func() {
		<-ctx.Done()
		close(cancelServe)
	}()

	if engineAddress != "" {
		// Exit when the engine goes away.
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, stop); err != nil {
			fatalf("could not start health check against the engine: %v", err)
		}
	}

	hostCtx, hostCancel := context.WithCancel(context.Background())
	host := &languageHost{engineAddress: engineAddress, tracing: *tracing, cancelCtx: hostCtx, cancel: hostCancel}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancelServe,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
		Options: rpcutil.TracingServerInterceptorOptions(nil),
	})
	if err != nil {
		fatalf("could not start the language host gRPC server: %v", err)
	}
	// The CLI reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fatalf("language host gRPC server stopped: %v", err)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: "+format+"\n", args...)
	os.Exit(1)
}

type languageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu            sync.Mutex
	engineAddress string
	tracing       string
	cancelCtx     context.Context // done once the engine calls Cancel
	cancel        context.CancelFunc
}

func (h *languageHost) Handshake(
	ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	h.engineAddress = req.GetEngineAddress()
	h.mu.Unlock()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *languageHost) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

func (h *languageHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *languageHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancel()
	return &emptypb.Empty{}, nil
}

// options are the `runtime.options` of Pulumi.yaml / PulumiPolicy.yaml that this host honours.
type options struct {
	typescript   bool
	tsconfigPath string
	nodeArgs     []string
}

func parseOptions(info *pulumirpc.ProgramInfo) (options, error) {
	opts := options{typescript: true}
	if info == nil || info.GetOptions() == nil {
		return opts, nil
	}
	m := info.GetOptions().AsMap()
	if v, ok := m["typescript"]; ok {
		b, ok := v.(bool)
		if !ok {
			return opts, errors.New("runtime option typescript must be a boolean")
		}
		opts.typescript = b
	}
	if v, ok := m["tsconfig"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("runtime option tsconfig must be a string")
		}
		opts.tsconfigPath = s
	}
	if v, ok := m["nodeargs"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("runtime option nodeargs must be a string")
		}
		args, err := shlex.Split(s)
		if err != nil {
			return opts, fmt.Errorf("runtime option nodeargs: %w", err)
		}
		opts.nodeArgs = args
	}
	return opts, nil
}

func (o options) env() []string {
	var env []string
	if o.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if o.tsconfigPath != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+o.tsconfigPath)
	}
	return env
}

// resolveModule asks node where a module (e.g. @pulumi/pulumi/cmd/run) resolves from dir.
func resolveModule(ctx context.Context, node, dir, module string) (string, error) {
	script := fmt.Sprintf("try { console.log(require.resolve(%q)); } catch (e) { "+
		"console.error(e.code === 'MODULE_NOT_FOUND' ? %q : e.message); process.exit(1); }",
		module, "cannot find "+module+" from "+dir+": install the project's npm dependencies (npm ci) first")
	cmd := exec.CommandContext(ctx, node, "-e", script)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return "", errors.New(strings.TrimSpace(string(exitErr.Stderr)))
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

func (h *languageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	if info == nil {
		return nil, errors.New("RunRequest has no program info")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on $PATH: " + err.Error()}, nil
	}
	runPath := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runPath == "" {
		runPath = "@pulumi/pulumi/cmd/run"
	}
	runPath, err = resolveModule(ctx, node, info.GetProgramDirectory(), runPath)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	opts, err := parseOptions(info)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	// The Node.js SDK talks to the engine's resource monitor directly (no proxy, no synchronous-invoke pipes:
	// the SDK only uses those when --sync is passed).
	args := append([]string{}, opts.nodeArgs...)
	args = append(args, runPath)
	flagArg := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flagArg("monitor", req.GetMonitorAddress())
	flagArg("engine", h.engine())
	flagArg("organization", req.GetOrganization())
	flagArg("project", req.GetProject())
	flagArg("root-directory", info.GetRootDirectory())
	flagArg("stack", req.GetStack())
	flagArg("pwd", info.GetProgramDirectory())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	flagArg("parallel", strconv.Itoa(int(req.GetParallel())))
	flagArg("tracing", h.tracing)
	args = append(args, info.GetEntryPoint())
	args = append(args, req.GetArgs()...)

	// Config keys go to the SDK in the <namespace>:config:<name> form it reads.
	cfg := map[string]string{}
	for k, v := range req.GetConfig() {
		key, err := config.ParseKey(k)
		if err != nil {
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("invalid config key %q: %v", k, err)}, nil
		}
		cfg[key.Namespace()+":config:"+key.Name()] = v
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(), "PULUMI_CONFIG="+string(cfgJSON), "PULUMI_CONFIG_SECRET_KEYS="+string(secretJSON))
	env = append(env, opts.env()...)

	cmdCtx, cmdCancel := context.WithCancel(h.cancelCtx)
	defer cmdCancel()
	context.AfterFunc(ctx, cmdCancel)
	cmd := exec.CommandContext(cmdCtx, node, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Env = env
	// Node may switch its stdio to non-blocking mode; hand it pipes rather than our own file descriptors.
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = struct{ io.Writer }{os.Stderr}

	if err := cmd.Run(); err != nil {
		_ = os.Stdout.Sync()
		_ = os.Stderr.Sync()
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			switch code := exitErr.ExitCode(); code {
			case exitCodeUserActionable:
				return &pulumirpc.RunResponse{Bail: true}, nil
			default:
				return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", code)}, nil
			}
		}
		return &pulumirpc.RunResponse{Error: "could not run node: " + err.Error()}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

func (h *languageHost) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	ctx := server.Context()
	info := req.GetInfo()
	if info == nil {
		return errors.New("RunPluginRequest has no program info")
	}
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	node, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("could not find node on $PATH: %w", err)
	}
	opts, err := parseOptions(info)
	if err != nil {
		return err
	}
	env := append(append([]string{}, req.GetEnv()...), opts.env()...)

	isPolicyPack := req.GetKind() == string(apitype.AnalyzerPlugin)
	module := "@pulumi/pulumi/cmd/run-plugin"
	if isPolicyPack {
		module = "@pulumi/pulumi/cmd/run-policy-pack"
	}
	runPath, err := resolveModule(ctx, node, info.GetProgramDirectory(), module)
	if err != nil {
		return err
	}

	args := append([]string{runPath}, opts.nodeArgs...)
	if isPolicyPack {
		// run-policy-pack takes the engine address (in req.Args) first and the pack directory last.
		args = append(args, req.GetArgs()...)
		args = append(args, info.GetProgramDirectory())
	} else {
		args = append(args, info.GetProgramDirectory())
		args = append(args, req.GetArgs()...)
	}

	var proxy *sdk.PolicyProxy
	if isPolicyPack {
		// The pack reads the stack's identity and config from its environment; the engine sends them with
		// ConfigureStack, which the proxy receives before the real pack starts and then forwards to it.
		proxy, stdout, err = sdk.NewPolicyProxy(ctx, stdout)
		if err != nil {
			return fmt.Errorf("could not start the policy pack proxy: %w", err)
		}
		stackCfg, err := proxy.AwaitConfiguration(ctx)
		if err != nil {
			return fmt.Errorf("could not get the stack configuration: %w", err)
		}
		if stackCfg != nil {
			add := func(k, v string) {
				if v != "" {
					env = append(env, k+"="+v)
				}
			}
			add("PULUMI_NODEJS_ORGANIZATION", stackCfg.GetOrganization())
			add("PULUMI_NODEJS_PROJECT", stackCfg.GetProject())
			add("PULUMI_NODEJS_STACK", stackCfg.GetStack())
			add("PULUMI_NODEJS_DRY_RUN", strconv.FormatBool(stackCfg.GetDryRun()))
			if stackCfg.GetConfig() != nil {
				b, err := json.Marshal(stackCfg.GetConfig())
				if err != nil {
					return err
				}
				add("PULUMI_CONFIG", string(b))
			}
		}
	}

	cmd := exec.CommandContext(ctx, node, args...)
	if isPolicyPack {
		cmd.Dir = info.GetProgramDirectory() // packs have always run from their own directory
	} else {
		cmd.Dir = req.GetPwd()
	}
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("could not start node: %w", err)
	}
	if proxy != nil {
		if err := proxy.Attach(ctx, cmd); err != nil {
			return fmt.Errorf("could not attach to the policy pack: %w", err)
		}
		return closer.Close()
	}
	if err := cmd.Wait(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return fmt.Errorf("plugin exited with non-zero exit code: %d", exitErr.ExitCode())
		}
		return err
	}
	return closer.Close()
}

// packageJSON is the part of a package.json this host reads.
type packageJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Pulumi  struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

// GetRequiredPackages lists the Pulumi resource packages ({"pulumi": {"resource": true}}) installed in the
// program's node_modules (nested node_modules included), so that the CLI can check their plugins up front.
func (h *languageHost) GetRequiredPackages(
	ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	found := map[string]*pulumirpc.PackageDependency{}
	var walk func(nodeModules string, depth int)
	walk = func(nodeModules string, depth int) {
		if depth > 8 {
			return
		}
		entries, err := os.ReadDir(nodeModules)
		if err != nil {
			return
		}
		var dirs []string
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, ".") {
				continue
			}
			if strings.HasPrefix(name, "@") {
				scoped, _ := os.ReadDir(filepath.Join(nodeModules, name))
				for _, s := range scoped {
					dirs = append(dirs, filepath.Join(nodeModules, name, s.Name()))
				}
				continue
			}
			dirs = append(dirs, filepath.Join(nodeModules, name))
		}
		for _, dir := range dirs {
			if st, err := os.Stat(dir); err != nil || !st.IsDir() {
				continue
			}
			if b, err := os.ReadFile(filepath.Join(dir, "package.json")); err == nil {
				var pj packageJSON
				if json.Unmarshal(b, &pj) == nil && pj.Pulumi.Resource {
					if dep := dependencyOf(pj); dep != nil {
						found[dep.Name+"@"+dep.Version] = dep
					}
				}
			}
			walk(filepath.Join(dir, "node_modules"), depth+1)
		}
	}
	// node resolves modules from the program directory upwards, so look there too (a symlinked or hoisted
	// node_modules in a parent directory).
	for dir := req.GetInfo().GetProgramDirectory(); dir != ""; {
		walk(filepath.Join(dir, "node_modules"), 0)
		parent := filepath.Dir(dir)
		if parent == dir || dir == req.GetInfo().GetRootDirectory() {
			break
		}
		dir = parent
	}
	keys := make([]string, 0, len(found))
	for k := range found {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	resp := &pulumirpc.GetRequiredPackagesResponse{}
	for _, k := range keys {
		resp.Packages = append(resp.Packages, found[k])
	}
	return resp, nil
}

func dependencyOf(pj packageJSON) *pulumirpc.PackageDependency {
	name := pj.Pulumi.Name
	if name == "" {
		if !strings.HasPrefix(pj.Name, "@pulumi/") {
			return nil // third-party packages must name their plugin
		}
		name = strings.TrimPrefix(pj.Name, "@pulumi/")
	}
	v := pj.Pulumi.Version
	if v == "" {
		v = pj.Version
	}
	if v == "" {
		return nil
	}
	if !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	return &pulumirpc.PackageDependency{Name: name, Kind: string(apitype.ResourcePlugin), Version: v, Server: pj.Pulumi.Server}
}

func (h *languageHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on $PATH: %w", err)
	}
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("node --version: %w", err)
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}

func (h *languageHost) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	pm, err := npm.ResolvePackageManager(npm.AutoPackageManager, dir)
	if err != nil {
		return nil, fmt.Errorf("could not determine the package manager: %w", err)
	}
	pkgs, err := pm.ListPackages(ctx, dir, req.GetTransitiveDependencies())
	if err != nil {
		return nil, fmt.Errorf("could not list the program's dependencies: %w", err)
	}
	resp := &pulumirpc.GetProgramDependenciesResponse{}
	for _, p := range pkgs {
		resp.Dependencies = append(resp.Dependencies, &pulumirpc.DependencyInfo{Name: p.Name, Version: p.Version})
	}
	return resp, nil
}
