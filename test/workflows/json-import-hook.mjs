// Node's module hook for @actions/workflow-parser: the package imports its JSON schema without the
// `with { type: "json" }` attribute Node requires (it is built for bundlers), so add it.
export async function load(url, context, nextLoad) {
    if (url.endsWith(".json") && url.includes("/@actions/") && !context.importAttributes?.type) {
        return nextLoad(url, { ...context, importAttributes: { ...context.importAttributes, type: "json" } });
    }
    return nextLoad(url, context);
}
