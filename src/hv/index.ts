export * from "./api.js";
export * from "./capabilities.js";
export * from "./errors.js";
export * from "./exits.js";
export * from "./memory.js";
export * from "./registers.js";
