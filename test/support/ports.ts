import * as net from "node:net";

/** Asks the OS for a free TCP port on 127.0.0.1 (servers the tests start listen there). */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.on("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            const port = typeof address === "object" && address ? address.port : 0;
            server.close(() => (port > 0 ? resolve(port) : reject(new Error("the OS gave no port"))));
        });
    });
}
