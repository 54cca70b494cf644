/** A MongoDB-shaped command error: becomes `{ok: 0, errmsg, code, codeName}` on the wire. */
export class MongoCommandError extends Error {
  readonly code: number;
  readonly codeName: string;
  readonly extra: Record<string, unknown> | undefined;
  constructor(code: number, message: string, extra?: Record<string, unknown>) {
    super(message);
    this.code = code;
    // mongod names its numbered assertions LocationNNNNN.
    this.codeName = CODE_NAMES[code] ?? (code >= 10000 ? `Location${code}` : 'UnknownError');
    this.extra = extra;
  }
}

export const CODE_NAMES: Record<number, string> = {
  1: 'InternalError',
  2: 'BadValue',
  4: 'NoSuchKey',
  9: 'FailedToParse',
  11: 'UserNotFound',
  13: 'Unauthorized',
  14: 'TypeMismatch',
  18: 'AuthenticationFailed',
  20: 'IllegalOperation',
  26: 'NamespaceNotFound',
  27: 'IndexNotFound',
  28: 'PathNotViable',
  40: 'ConflictingUpdateOperators',
  43: 'CursorNotFound',
  45: 'Overflow',
  47: 'NoMatchingDocument',
  48: 'NamespaceExists',
  52: 'DollarPrefixedFieldName',
  53: 'InvalidIdField',
  59: 'CommandNotFound',
  66: 'ImmutableField',
  67: 'CannotCreateIndex',
  72: 'InvalidOptions',
  73: 'InvalidNamespace',
  76: 'NoReplicationEnabled',
  85: 'IndexOptionsConflict',
  86: 'IndexKeySpecsConflict',
  115: 'CommandNotSupported',
  116: 'DocTooLargeForCapped',
  121: 'DocumentValidationFailure',
  161: 'IncompatibleCollationVersion',
  166: 'CommandNotSupportedOnView',
  168: 'InvalidPipelineOperator',
  225: 'TransactionTooOld',
  237: 'CursorKilled',
  260: 'InvalidResumeToken',
  280: 'ChangeStreamFatalError',
  286: 'ChangeStreamHistoryLost',
  291: 'NoQueryExecutionPlans',
  10334: 'BSONObjectTooLarge',
  11000: 'DuplicateKey',
};

export const badValue = (msg: string): MongoCommandError => new MongoCommandError(2, msg);
