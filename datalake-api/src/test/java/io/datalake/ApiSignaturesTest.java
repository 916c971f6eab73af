package io.datalake;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

/**
 * The API module promises users that its public signatures tie them to no driver or BSON type except
 * {@link ObjectId} and {@link Bson}, so the store implementation can change without breaking callers.
 */
class ApiSignaturesTest {
    private static final Set<Class<?>> ALLOWED = Set.of(ObjectId.class, Bson.class);

    @Test
    void publicSignaturesUseNoDriverOrBsonTypesButObjectIdAndBson() throws Exception {
        List<Class<?>> types = apiTypes();
        assertThat(types).as("the scan finds the API types").contains(Datalake.class,
                io.datalake.query.QueryLevel.class, io.datalake.query.QueryPlan.Level.class);
        Set<String> offending = new TreeSet<>();
        for (Class<?> type : types) {
            check(type.getGenericSuperclass(), type.getName() + " extends", offending);
            for (Type iface : type.getGenericInterfaces()) {
                check(iface, type.getName() + " implements", offending);
            }
            for (Field field : type.getDeclaredFields()) {
                if (visible(field.getModifiers())) {
                    check(field.getGenericType(), type.getName() + "." + field.getName(), offending);
                }
            }
            List<Executable> executables = new ArrayList<>(List.of(type.getDeclaredMethods()));
            for (Constructor<?> constructor : type.getDeclaredConstructors()) {
                executables.add(constructor);
            }
            for (Executable executable : executables) {
                if (!visible(executable.getModifiers()) || executable.isSynthetic()) {
                    continue;
                }
                String where = type.getName() + "." + executable.getName();
                if (executable instanceof Method) {
                    check(((Method) executable).getGenericReturnType(), where + " returns", offending);
                }
                for (Type parameter : executable.getGenericParameterTypes()) {
                    check(parameter, where + " takes", offending);
                }
                for (Type thrown : executable.getGenericExceptionTypes()) {
                    check(thrown, where + " throws", offending);
                }
            }
        }
        assertThat(offending).isEmpty();
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void check(Type type, String where, Set<String> offending) {
        if (type == null) {
            return;
        }
        if (type instanceof Class) {
            Class<?> raw = (Class<?>) type;
            while (raw.isArray()) {
                raw = raw.getComponentType();
            }
            String name = raw.getName();
            if ((name.startsWith("org.bson.") || name.startsWith("com.mongodb.")) && !ALLOWED.contains(raw)) {
                offending.add(where + " " + name);
            }
        } else if (type instanceof ParameterizedType) {
            check(((ParameterizedType) type).getRawType(), where, offending);
            for (Type argument : ((ParameterizedType) type).getActualTypeArguments()) {
                check(argument, where, offending);
            }
        } else if (type instanceof GenericArrayType) {
            check(((GenericArrayType) type).getGenericComponentType(), where, offending);
        } else if (type instanceof WildcardType) {
            for (Type bound : ((WildcardType) type).getUpperBounds()) {
                check(bound, where, offending);
            }
            for (Type bound : ((WildcardType) type).getLowerBounds()) {
                check(bound, where, offending);
            }
        } else if (type instanceof TypeVariable) {
            for (Type bound : ((TypeVariable<?>) type).getBounds()) {
                check(bound, where, offending);
            }
        }
    }

    /** Every public or protected type of the module's non-internal packages, nested types included. */
    private static List<Class<?>> apiTypes() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Paths.get(Datalake.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Class<?>> types = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String relative = root.relativize(file).toString().replace('\\', '/');
                if (!relative.endsWith(".class") || relative.endsWith("package-info.class")
                        || relative.contains("/internal/")) {
                    continue;
                }
                Class<?> type = Class.forName(relative.substring(0, relative.length() - ".class".length())
                        .replace('/', '.'), false, ApiSignaturesTest.class.getClassLoader());
                if (visible(type.getModifiers()) && !type.isAnonymousClass() && !type.isLocalClass()) {
                    types.add(type);
                }
            }
        }
        return types;
    }
}
