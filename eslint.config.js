// Lint rules: typescript-eslint's recommended set, with `any` forbidden so
// that public APIs stay typed (developers' brief: "no `any` in public APIs").
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "guests/**", "tools/**/*.js", ".cache/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-constant-condition": ["error", { checkLoops: false }],
      "no-fallthrough": "off",
      "no-case-declarations": "off"
    }
  },
  {
    files: ["bin/**/*.js", "scripts/**/*.mjs", "scripts/**/*.js"],
    languageOptions: { globals: globals.node }
  }
);
