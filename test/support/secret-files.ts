// A secret file whose save fails, for the examples' paths where a credential exists but its secret cannot be kept.
import { secretFile } from "../../examples/secret-file.ts";

/** The error a write past the file size limit gives (EFBIG), as fs gives it. */
export const efbig = () => Object.assign(new Error("EFBIG: file too large, write"), { code: "EFBIG", errno: -27, syscall: "write" });

/** Opens the real file as `secretFile` does, but its save fails with EFBIG, writing nothing. */
export const unsavableFile: typeof secretFile = async (...args) => {
  const file = await secretFile(...args);
  return {
    path: file.path,
    saved: false,
    save: () => Promise.reject(efbig()),
    close: () => file.close(),
  };
};
