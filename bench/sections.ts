// The bench's sections, in the order they run and appear in BENCHMARKS.md; a new section is a file in bench/sections/
// and a line here.

import type { Section } from "./section.ts";
import audit from "./sections/audit.ts";
import codegen from "./sections/codegen.ts";
import fake from "./sections/fake.ts";
import overhead from "./sections/overhead.ts";
import pagination from "./sections/pagination.ts";
import request from "./sections/request.ts";
import size from "./sections/size.ts";
import tokens from "./sections/tokens.ts";

export const SECTIONS: Section<any>[] = [overhead, request, pagination, size, codegen, tokens, fake, audit];
