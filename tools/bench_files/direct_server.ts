// `bench:files`' baseline: a plain HTTP server on loopback in its own process, serving files
// and bundles straight from disk and writing uploads straight to disk (hashing what it
// receives), with nothing in between — what the relayed path is compared with. Prints its
// port. `GET/POST /file?path=…`, `GET /bundle?root=…&name=…`, `POST /bundle?dest=…`.
import { bundleFromDisk, bundleToDisk, fileStream, streamToFile } from "./data.ts";

const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
  const url = new URL(req.url);
  const q = (name: string) => url.searchParams.get(name) ?? "";
  if (url.pathname === "/file" && req.method === "GET") {
    const { size } = await Deno.stat(q("path"));
    return new Response(fileStream(q("path")).stream, {
      headers: { "content-length": String(size) },
    });
  }
  if (url.pathname === "/file" && req.method === "POST") {
    return Response.json(await streamToFile(req.body!, q("path")));
  }
  if (url.pathname === "/bundle" && req.method === "GET") {
    return new Response(bundleFromDisk(q("root"), [q("name")]).stream);
  }
  if (url.pathname === "/bundle" && req.method === "POST") {
    return Response.json(await bundleToDisk(req.body!, q("dest")));
  }
  return new Response("no", { status: 404 });
});
console.log(server.addr.port);
