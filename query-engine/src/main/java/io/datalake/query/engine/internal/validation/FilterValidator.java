package io.datalake.query.engine.internal.validation;

import io.datalake.InvalidQueryException;
import io.datalake.query.Query;
import io.datalake.query.QueryLevel;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * Checks a level's MongoDB filter before it is sent anywhere: every {@code $} operator must be one MongoDB knows
 * in its position, operators with a fixed shape must have it, and nothing that runs server-side JavaScript may
 * appear at any depth. Values are never interpreted as code; the filter is sent as a BSON document.
 *
 * <p>This is MongoDB knowledge, so it lives in the engine that talks to MongoDB rather than next to {@link Query}:
 * {@code Query} checks a query's structure when it is built, the engine checks its filters when it plans it.
 */
public final class FilterValidator {
    /** Operators that run JavaScript on the server; refused anywhere, even inside literals. */
    static final Set<String> JAVASCRIPT = Set.of("$where", "$function", "$accumulator");

    /** Operators allowed where a whole query is expected (top level, {@code $and} elements, ...). */
    private static final Set<String> QUERY_OPERATORS = Set.of(
            "$and", "$or", "$nor", "$expr", "$text", "$comment", "$jsonSchema");

    /** Operators allowed on a field: {@code {"field": {"$op": ...}}}. */
    private static final Set<String> FIELD_OPERATORS = Set.of(
            "$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$type", "$mod", "$regex",
            "$options", "$all", "$elemMatch", "$size", "$not", "$bitsAllClear", "$bitsAllSet", "$bitsAnyClear",
            "$bitsAnySet", "$geoIntersects", "$geoWithin", "$within", "$near", "$nearSphere", "$maxDistance",
            "$minDistance");

    /** Expression operators whose {@code regex} argument is a regular expression run by the server. */
    private static final Set<String> REGEX_EXPRESSIONS = Set.of("$regexMatch", "$regexFind", "$regexFindAll");

    /** Aggregation expression operators usable inside {@code $expr} (MongoDB 6 and 7), minus the JavaScript ones. */
    private static final Set<String> EXPRESSION_OPERATORS = Set.of(
            "$abs", "$acos", "$acosh", "$add", "$allElementsTrue", "$and", "$anyElementTrue", "$arrayElemAt",
            "$arrayToObject", "$asin", "$asinh", "$atan", "$atan2", "$atanh", "$avg", "$binarySize", "$bitAnd",
            "$bitNot", "$bitOr", "$bitXor", "$bsonSize", "$ceil", "$cmp", "$concat", "$concatArrays", "$cond",
            "$convert", "$cos", "$cosh", "$dateAdd", "$dateDiff", "$dateFromParts", "$dateFromString",
            "$dateSubtract", "$dateToParts", "$dateToString", "$dateTrunc", "$dayOfMonth", "$dayOfWeek",
            "$dayOfYear", "$degreesToRadians", "$divide", "$eq", "$exp", "$filter", "$first", "$firstN", "$floor",
            "$getField", "$gt", "$gte", "$hour", "$ifNull", "$in", "$indexOfArray", "$indexOfBytes", "$indexOfCP",
            "$isArray", "$isNumber", "$isoDayOfWeek", "$isoWeek", "$isoWeekYear", "$last", "$lastN", "$let",
            "$literal", "$ln", "$log", "$log10", "$lt", "$lte", "$ltrim", "$map", "$max", "$maxN", "$median",
            "$mergeObjects", "$meta", "$min", "$minN", "$millisecond", "$minute", "$mod", "$month", "$multiply",
            "$ne", "$not", "$objectToArray", "$or", "$percentile", "$pow", "$radiansToDegrees", "$rand", "$range",
            "$reduce", "$regexFind", "$regexFindAll", "$regexMatch", "$replaceOne", "$replaceAll", "$reverseArray",
            "$round", "$rtrim", "$sampleRate", "$second", "$setDifference", "$setEquals", "$setField",
            "$setIntersection", "$setIsSubset", "$setUnion", "$size", "$sin", "$sinh", "$slice", "$sortArray",
            "$split", "$sqrt", "$stdDevPop", "$stdDevSamp", "$strcasecmp", "$strLenBytes", "$strLenCP", "$substr",
            "$substrBytes", "$substrCP", "$subtract", "$sum", "$switch", "$tan", "$tanh", "$toBool", "$toDate",
            "$toDecimal", "$toDouble", "$toInt", "$toLong", "$toObjectId", "$toString", "$toLower", "$toUpper",
            "$trim", "$trunc", "$tsIncrement", "$tsSecond", "$type", "$unsetField", "$week", "$year", "$zip");

    /** Keys of a {@code $text} operand. */
    private static final Set<String> TEXT_KEYS = Set.of("$search", "$language", "$caseSensitive",
            "$diacriticSensitive");

    private final int level;

    private FilterValidator(int level) {
        this.level = level;
    }

    /**
     * Validates the filter of every level of a query, base first.
     *
     * @param query the query, structurally valid as every {@link Query} is
     * @throws InvalidQueryException naming the first offending level and its offending key or value
     */
    public static void validate(Query query) {
        for (QueryLevel level : query.levels()) {
            validate(level.index(), level.filter().toBsonDocument());
        }
    }

    /**
     * Validates a level's filter.
     *
     * @param level the level index, named in errors
     * @param filter the filter without reserved keys
     * @throws InvalidQueryException naming the level and the offending key or value
     */
    public static void validate(int level, BsonDocument filter) {
        FilterValidator v = new FilterValidator(level);
        v.rejectJavaScript(filter, "filter");
        v.query(filter, "");
    }

    private void query(BsonDocument query, String path) {
        for (Map.Entry<String, BsonValue> e : query.entrySet()) {
            String key = e.getKey();
            BsonValue value = e.getValue();
            String at = path.isEmpty() ? key : path + "." + key;
            if (!key.startsWith("$")) {
                fieldValue(value, at);
                continue;
            }
            switch (key) {
                case "$and", "$or", "$nor" -> {
                    BsonArray clauses = requireArray(value, at);
                    if (clauses.isEmpty()) {
                        throw error(at, "needs a non-empty array of filters");
                    }
                    for (int i = 0; i < clauses.size(); i++) {
                        query(requireDocument(clauses.get(i), at + "[" + i + "]"), at + "[" + i + "]");
                    }
                }
                case "$expr" -> expression(value, at);
                case "$text" -> {
                    for (String textKey : requireDocument(value, at).keySet()) {
                        if (!TEXT_KEYS.contains(textKey)) {
                            throw error(at, "unknown $text option " + textKey);
                        }
                    }
                }
                case "$comment", "$jsonSchema" -> {
                    // valid anywhere a query is; nothing to check
                }
                default -> throw error(at, FIELD_OPERATORS.contains(key)
                        ? "operator " + key + " needs a field, as in {\"field\": {\"" + key + "\": ...}}"
                        : "unknown operator " + key);
            }
        }
    }

    /** The value of a field: a literal to compare with, or a document of field operators. */
    private void fieldValue(BsonValue value, String at) {
        if (value.isRegularExpression()) {
            regex(value.asRegularExpression().getPattern(), value.asRegularExpression().getOptions(), at);
        }
        if (!value.isDocument() || !hasOperatorKey(value.asDocument())) {
            return;
        }
        BsonDocument ops = value.asDocument();
        for (Map.Entry<String, BsonValue> e : ops.entrySet()) {
            String op = e.getKey();
            BsonValue operand = e.getValue();
            String opAt = at + "." + op;
            if (!op.startsWith("$")) {
                throw error(opAt, "mixes operators and the field " + op + " in one document");
            }
            if (!FIELD_OPERATORS.contains(op)) {
                throw error(opAt, "unknown operator " + op);
            }
            switch (op) {
                case "$in", "$nin" -> {
                    BsonArray values = requireArray(operand, opAt);
                    for (int i = 0; i < values.size(); i++) {
                        if (values.get(i).isRegularExpression()) {
                            fieldValue(values.get(i), opAt + "[" + i + "]");
                        }
                    }
                }
                case "$all" -> {
                    for (BsonValue element : requireArray(operand, opAt)) {
                        if (element.isRegularExpression()) {
                            fieldValue(element, opAt);
                        }
                        if (element.isDocument() && hasOperatorKey(element.asDocument())) {
                            BsonDocument match = element.asDocument();
                            if (match.size() != 1 || !match.containsKey("$elemMatch")) {
                                throw error(opAt, "elements with operators must be {\"$elemMatch\": ...}");
                            }
                            elemMatch(match.get("$elemMatch"), opAt + ".$elemMatch");
                        }
                    }
                }
                case "$elemMatch" -> elemMatch(operand, opAt);
                case "$not" -> {
                    if (operand.isRegularExpression()) {
                        fieldValue(operand, opAt);
                    } else {
                        BsonDocument negated = requireDocument(operand, opAt);
                        if (negated.isEmpty() || !hasOperatorKey(negated)) {
                            throw error(opAt, "needs a regular expression or a document of operators");
                        }
                        fieldValue(negated, opAt);
                    }
                }
                case "$size" -> {
                    if (!operand.isNumber()) {
                        throw error(opAt, "needs a number, got " + describe(operand));
                    }
                }
                case "$regex" -> {
                    if (operand.isString()) {
                        BsonValue options = ops.get("$options");
                        regex(operand.asString().getValue(), options != null && options.isString()
                                ? options.asString().getValue() : "", opAt);
                    } else if (operand.isRegularExpression()) {
                        fieldValue(operand, opAt);
                    } else {
                        throw error(opAt, "needs a string or regular expression, got " + describe(operand));
                    }
                }
                case "$options" -> {
                    if (!ops.containsKey("$regex")) {
                        throw error(opAt, "is only valid together with $regex");
                    }
                    regexOptions(operand, opAt);
                }
                case "$mod" -> {
                    if (!operand.isArray() || operand.asArray().size() != 2
                            || !operand.asArray().get(0).isNumber() || !operand.asArray().get(1).isNumber()) {
                        throw error(opAt, "needs an array of two numbers [divisor, remainder], got "
                                + describe(operand));
                    }
                    if (operand.asArray().get(0).asNumber().doubleValue() == 0) {
                        throw error(opAt, "divisor must not be 0, got " + describe(operand));
                    }
                }
                case "$type" -> {
                    for (BsonValue type : operand.isArray() ? operand.asArray() : List.of(operand)) {
                        if (!(type.isString() && TYPE_ALIASES.contains(type.asString().getValue())
                                || type.isNumber() && TYPE_CODES.contains(type.asNumber().doubleValue()))) {
                            throw error(opAt, "unknown BSON type " + describe(type) + "; use an alias such as"
                                    + " \"string\", \"int\", \"double\", \"number\", \"object\", \"array\", \"date\""
                                    + " or \"null\", or a type number");
                        }
                    }
                    if (operand.isArray() && operand.asArray().isEmpty()) {
                        throw error(opAt, "needs at least one type");
                    }
                }
                default -> {
                    // other field operators take any operand the server accepts
                }
            }
        }
    }

    /** {@code $elemMatch} takes either field operators (arrays of scalars) or a query on the elements. */
    private void elemMatch(BsonValue operand, String at) {
        BsonDocument doc = requireDocument(operand, at);
        for (Map.Entry<String, BsonValue> e : doc.entrySet()) {
            String key = e.getKey();
            String keyAt = at + "." + key;
            if (!key.startsWith("$")) {
                fieldValue(e.getValue(), keyAt);
            } else if (FIELD_OPERATORS.contains(key)) {
                fieldValue(new BsonDocument(key, e.getValue()), at);
            } else if (QUERY_OPERATORS.contains(key)) {
                query(new BsonDocument(key, e.getValue()), at);
            } else {
                throw error(keyAt, "unknown operator " + key);
            }
        }
    }

    /** The aliases {@code $type} accepts (MongoDB's list); other strings are refused by the server. */
    private static final Set<String> TYPE_ALIASES = Set.of("double", "string", "object", "array", "binData",
            "undefined", "objectId", "bool", "date", "null", "regex", "dbPointer", "javascript", "symbol",
            "javascriptWithScope", "int", "timestamp", "long", "decimal", "minKey", "maxKey", "number");
    /** The type numbers {@code $type} accepts. */
    private static final Set<Double> TYPE_CODES = Set.of(1d, 2d, 3d, 4d, 5d, 6d, 7d, 8d, 9d, 10d, 11d, 12d, 13d,
            14d, 15d, 16d, 17d, 18d, 19d, -1d, 127d);
    /** The option letters MongoDB's {@code $regex} accepts. */
    private static final String REGEX_OPTIONS = "imxsu";

    private void regexOptions(BsonValue options, String at) {
        if (!options.isString()) {
            throw error(at, "needs a string of option letters (" + REGEX_OPTIONS + "), got " + describe(options));
        }
        for (char c : options.asString().getValue().toCharArray()) {
            if (REGEX_OPTIONS.indexOf(c) < 0) {
                throw error(at, "invalid regular expression option '" + c + "'; the options are i (case-insensitive),"
                        + " m (multi-line), x (extended), s (dot matches newline) and u");
            }
        }
    }

    private void regex(String pattern, String options, String at) {
        regexOptions(new BsonString(options), at);
        String problem = RegexCheck.certainError(pattern, options);
        if (problem != null) {
            throw error(at, "invalid regular expression " + describe(new BsonString(pattern)) + ": "
                    + problem);
        }
    }

    /**
     * Checks the pattern of {@code $regexMatch}/{@code $regexFind}/{@code $regexFindAll} when it is a constant:
     * the same bomb inside {@code $expr} costs the server as much as in a {@code $regex} filter. A pattern computed
     * from a field is only known to the server and is bounded by the operation time limit.
     */
    private void expressionRegex(BsonValue operand, String at) {
        if (!operand.isDocument()) {
            return;
        }
        BsonValue regex = operand.asDocument().get("regex");
        BsonValue options = operand.asDocument().get("options");
        String flags = options != null && options.isString() ? options.asString().getValue() : "";
        if (regex != null && regex.isString()) {
            regex(regex.asString().getValue(), flags, at + ".regex");
        } else if (regex != null && regex.isRegularExpression()) {
            regex(regex.asRegularExpression().getPattern(), regex.asRegularExpression().getOptions() + flags,
                    at + ".regex");
        }
    }

    private void expression(BsonValue value, String at) {
        if (value.isArray()) {
            BsonArray array = value.asArray();
            for (int i = 0; i < array.size(); i++) {
                expression(array.get(i), at + "[" + i + "]");
            }
        } else if (value.isDocument()) {
            for (Map.Entry<String, BsonValue> e : value.asDocument().entrySet()) {
                String key = e.getKey();
                String keyAt = at + "." + key;
                if (key.startsWith("$") && !EXPRESSION_OPERATORS.contains(key)) {
                    throw error(keyAt, "unknown expression operator " + key);
                }
                if (REGEX_EXPRESSIONS.contains(key)) {
                    expressionRegex(e.getValue(), keyAt);
                }
                if (!key.equals("$literal")) {
                    expression(e.getValue(), keyAt);
                }
            }
        }
    }

    private void rejectJavaScript(BsonValue value, String at) {
        if (value.isDocument()) {
            for (Map.Entry<String, BsonValue> e : value.asDocument().entrySet()) {
                String keyAt = at + "." + e.getKey();
                if (JAVASCRIPT.contains(e.getKey())) {
                    throw error(keyAt, e.getKey() + " runs server-side JavaScript and is not allowed");
                }
                rejectJavaScript(e.getValue(), keyAt);
            }
        } else if (value.isArray()) {
            BsonArray array = value.asArray();
            for (int i = 0; i < array.size(); i++) {
                rejectJavaScript(array.get(i), at + "[" + i + "]");
            }
        } else if (value.isJavaScript() || value.isJavaScriptWithScope()) {
            throw error(at, "JavaScript code values are not allowed");
        }
    }

    private static boolean hasOperatorKey(BsonDocument doc) {
        for (String key : doc.keySet()) {
            if (key.startsWith("$")) {
                return true;
            }
        }
        return false;
    }

    private BsonArray requireArray(BsonValue value, String at) {
        if (!value.isArray()) {
            throw error(at, "needs an array, got " + describe(value));
        }
        return value.asArray();
    }

    private BsonDocument requireDocument(BsonValue value, String at) {
        if (!value.isDocument()) {
            throw error(at, "needs a document, got " + describe(value));
        }
        return value.asDocument();
    }

    private static String describe(BsonValue value) {
        String json = value.isDocument() ? value.asDocument().toJson()
                : new BsonDocument("v", value).toJson().replaceFirst("^\\{\"v\": ", "").replaceFirst("}$", "");
        return json.length() > 80 ? json.substring(0, 77) + "..." : json;
    }

    private InvalidQueryException error(String at, String what) {
        return new InvalidQueryException("level " + level + ": " + at + ": " + what);
    }
}
