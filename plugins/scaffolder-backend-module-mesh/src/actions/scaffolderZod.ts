import { createTemplateAction } from '@backstage/plugin-scaffolder-node';

type InputSchemaOption = NonNullable<
  NonNullable<Parameters<typeof createTemplateAction>[0]['schema']>['input']
>;

/**
 * The zod the scaffolder hands to schema factories. It may be another copy of zod than the one
 * this package resolves, and zod's classes do not mix across copies, so the schemas are typed by it.
 */
export type ScaffolderZod = Parameters<
  Extract<InputSchemaOption, (zImpl: any) => any>
>[0];

/** A map of field names to schema factories, as `schema.input` and `schema.output` take it. */
export type SchemaFields = {
  [field: string]: (
    zImpl: ScaffolderZod,
  ) => ReturnType<Extract<InputSchemaOption, (zImpl: any) => any>>;
};
