import "@testing-library/jest-dom/vitest";

import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

// findBy*/waitFor wait up to 5 s (the default 1 s is too short on a loaded 2-core CI machine); a test that
// fails still fails, only later.
configure({ asyncUtilTimeout: 5000 });

// vitest's globals are off, so Testing Library cannot register its own cleanup: unmount after every test here.
afterEach(() => cleanup());
