// @ts-check
// The one file upload of the customer page and the technician's workspace: the file is the
// raw request body, named in X-File-Name, so the server streams it to disk; XMLHttpRequest
// because fetch() reports no upload progress. Without JavaScript both forms post multipart.

/**
 * Posts `file` to `form.action` with the form's CSRF token, showing progress in the form's
 * `progress.upload-progress`. Resolves when done; status 0 means the network failed.
 * @param {HTMLFormElement} form
 * @param {File} file
 * @param {Record<string, string>} headers  how the page asks for its kind of answer
 * @returns {Promise<{ status: number, text: string }>}
 */
export function uploadFile(form, file, headers) {
  /** @type {HTMLProgressElement | null} */
  const progress = form.querySelector("progress.upload-progress");
  const csrf = /** @type {HTMLInputElement | null} */ (form.elements.namedItem("_csrf"));
  const xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  for (
    const [name, value] of Object.entries({
      ...headers,
      "X-CSRF-Token": csrf?.value ?? "",
      "X-File-Name": encodeURIComponent(file.name),
      "Content-Type": file.type || "application/octet-stream",
    })
  ) xhr.setRequestHeader(name, value);
  if (progress) {
    progress.value = 0;
    progress.hidden = false;
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) progress.value = Math.round((event.loaded / event.total) * 100);
    });
  }
  return new Promise((resolve) => {
    xhr.addEventListener("loadend", () => {
      if (progress) progress.hidden = true;
      resolve({ status: xhr.status, text: xhr.responseText });
    });
    xhr.send(file);
  });
}
